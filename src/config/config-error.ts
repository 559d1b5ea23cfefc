import { MigrateError } from '../engine/errors.ts';

/**
 * A bad configuration value (config file, environment, database URL). Exit code 2.
 * The message is one line: the key, what is wrong, and what is accepted.
 */
export class ConfigError extends MigrateError {
  override readonly name = 'ConfigError';
  readonly exitCode = 2;
  constructor(
    readonly key: string,
    readonly problem: string,
    readonly accepted?: string,
  ) {
    super(`config "${key}": ${problem}${accepted ? `; accepted: ${accepted}` : ''}`);
  }
}
