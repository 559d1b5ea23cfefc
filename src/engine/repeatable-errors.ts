import { MigrationFailedError, oneLine } from './errors.ts';

/**
 * A repeatable migration failed. Its transaction was rolled back (its row
 * keeps the previous checksum, or none); the versioned migrations and the
 * repeatables before it in the run stay applied and recorded. A
 * MigrationFailedError (exit 1), so every caller that handles a failed
 * migration handles this one too; `version` is 0 and `migrationName` its id.
 */
export class RepeatableFailedError extends MigrationFailedError {
  constructor(
    /** `R__active_users`. */
    readonly repeatable: string,
    file: string,
    databaseMessage: string,
    details: { line?: number; column?: number; statement?: string; code?: string; cause: unknown },
  ) {
    super(0, repeatable, file, 'up', databaseMessage, { ...details, rolledBack: true });
    const where = details.line
      ? `${file}:${details.line}${details.column ? `:${details.column}` : ''}`
      : file;
    const stmt = details.statement ? ` in \`${oneLine(details.statement).slice(0, 120)}\`` : '';
    this.message = `${where}: repeatable migration ${repeatable} failed${stmt}: ${oneLine(databaseMessage)}; it was rolled back (what ran before it stays applied); fix it and run again`;
  }
}
