import { adviceCommand } from '../advice.ts';
import { MigrateError, oneLine } from './migrate-error.ts';

/** A seed failed; it was rolled back and the seeds after it did not run. Exit 1. */
export class SeedFailedError extends MigrateError {
  override readonly name = 'SeedFailedError';
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    readonly databaseMessage: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${file}${line ? `:${line}` : ''}: seed failed: ${oneLine(databaseMessage)}; it was rolled back and the seeds after it did not run; fix it and run \`${adviceCommand('seed')}\` again (seeds must be idempotent)`,
      options,
    );
  }
}

/**
 * A development-only command (seed, reset) was pointed at a database that is
 * not SQLite or a local PostgreSQL, or run with NODE_ENV=production. Nothing
 * was touched. Exit 2 for seed (a flag is missing), 4 for reset.
 */
export class DevelopmentOnlyError extends MigrateError {
  override readonly name = 'DevelopmentOnlyError';
  constructor(
    readonly command: string,
    readonly target: string,
    readonly reason: string,
    readonly override: string,
    readonly exitCode: 2 | 4,
  ) {
    super(
      `${command} refused on ${target}: ${reason}; it is for development databases — pass ${override} if you really mean this one`,
    );
  }
}

/** Seeding needs a migrated database: pending migrations or a dirty state come first. Exit 4. */
export class NotMigratedError extends MigrateError {
  override readonly name = 'NotMigratedError';
  readonly exitCode = 4;
  constructor(
    readonly command: string,
    readonly problem: string,
  ) {
    super(
      `${command} refused: ${problem}; run \`${adviceCommand('latest')}\` first (or \`${adviceCommand('reset --yes')}\` in development)`,
    );
  }
}

/** A command needs a confirmation it did not get (no TTY and no --yes). */
export class ConfirmationRequiredError extends MigrateError {
  override readonly name = 'ConfirmationRequiredError';
  readonly exitCode = 2;
  constructor(readonly action: string) {
    super(`${action} needs confirmation; run it in a terminal, or pass --yes`);
  }
}

/** The user answered "no" at the confirmation prompt. */
export class NotConfirmedError extends MigrateError {
  override readonly name = 'NotConfirmedError';
  readonly exitCode = 2;
  constructor(readonly action: string) {
    super(`${action}: answered no; nothing was changed`);
  }
}
