import { MigrateError } from '../index.ts';

/**
 * A command-line argument is wrong (missing, malformed, a combination that makes
 * no sense). Exit code 2, nothing was touched; the message names the argument and
 * what is accepted. Configuration files and URLs raise ConfigError instead.
 */
export class UsageError extends MigrateError {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
  constructor(
    readonly argument: string,
    readonly problem: string,
    readonly accepted?: string,
  ) {
    super(`${argument}: ${problem}${accepted ? `; accepted: ${accepted}` : ''}`);
  }
}
