import { MigrateError } from './errors.ts';

/**
 * A system tool an operation needs is missing or unusable (pg_dump for
 * `init --from-live` on PostgreSQL). Exit code 2: nothing was changed. The
 * message names the tool, what is wrong and how to get it.
 */
export class MissingToolError extends MigrateError {
  override readonly name = 'MissingToolError';
  readonly exitCode = 2;
  constructor(
    readonly tool: string,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`${tool}: ${problem}; ${hint}`);
  }
}
