import { MigrateError } from '../engine/errors.ts';

/**
 * Type generation could not finish: no scratch PostgreSQL, a migration failed
 * on the scratch database, or the output file cannot be written. Exit code 1:
 * nothing in generated/ was changed.
 */
export class CodegenError extends MigrateError {
  override readonly name = 'CodegenError';
  readonly exitCode = 1;
  constructor(
    /** What failed, e.g. `scratch PostgreSQL` or `generated/db.ts`. */
    readonly subject: string,
    readonly problem: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`codegen: ${subject}: ${problem}; ${hint}`, options);
  }
}
