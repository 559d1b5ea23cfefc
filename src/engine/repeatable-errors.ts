import { adviceCommand } from './advice.ts';
import { MigrateError, MigrationFailedError, oneLine } from './errors.ts';
import { SIGNAL_EXIT_CODES, type StopSignal } from './signal-guard.ts';

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

/**
 * SIGINT/SIGTERM while a repeatable ran (signal-guard.ts): its statement was
 * cancelled and its transaction rolled back, so its row is unchanged; or the
 * signal came as it finished (`completed`: applied and recorded). The run
 * stopped there. Exit 130 (SIGINT) / 143 (SIGTERM).
 */
export class RepeatableInterruptedError extends MigrateError {
  override readonly name = 'RepeatableInterruptedError';
  readonly exitCode: 130 | 143;
  constructor(
    readonly signal: StopSignal,
    /** `R__active_users`. */
    readonly repeatable: string,
    readonly file: string,
    readonly completed: boolean,
    options: { cause?: unknown } = {},
  ) {
    const again = adviceCommand('latest');
    super(
      completed
        ? `${file}: interrupted by ${signal} as repeatable migration ${repeatable} finished: it is applied and recorded, and the run stopped there; run \`${again}\` to continue`
        : `${file}: interrupted by ${signal} while repeatable migration ${repeatable} ran: its statement was cancelled and its transaction rolled back, so it is not applied (its row is unchanged); run \`${again}\` to continue`,
      options,
    );
    this.exitCode = SIGNAL_EXIT_CODES[signal];
  }
}
