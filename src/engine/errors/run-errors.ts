import { adviceCommand } from '../advice.ts';
import { describeHolders, type LockHolder } from '../lock-holder.ts';
import { MigrateError, oneLine, truncate } from './migrate-error.ts';

/** Another migrator held the lock for longer than the timeout. */
export class LockTimeoutError extends MigrateError {
  override readonly name = 'LockTimeoutError';
  readonly exitCode = 4;
  constructor(
    readonly waitedMs: number,
    readonly lockName: string,
    /** Who holds it, when the database can tell (lock-holder.ts). */
    readonly holders: readonly LockHolder[] = [],
  ) {
    const by = holders.length ? `, held by ${describeHolders(holders)}` : '';
    super(
      `another migration run held the lock ${lockName} for more than ${waitedMs} ms${by}; wait for it to finish, or raise --lock-timeout (see the runbook, "A stuck lock")`,
    );
  }
}

/** A migration's SQL failed. Transactional migrations were rolled back; others leave the database dirty. */
export class MigrationFailedError extends MigrateError {
  override readonly name = 'MigrationFailedError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly file: string,
    readonly direction: 'up' | 'down',
    readonly databaseMessage: string,
    readonly details: {
      line?: number;
      column?: number;
      statement?: string;
      code?: string;
      rolledBack: boolean;
      cause: unknown;
      /** Replaces "fix the migration and run again" when the database's surroundings failed, not the migration. */
      nextStep?: string;
    },
  ) {
    const where = details.line
      ? `${file}:${details.line}${details.column ? `:${details.column}` : ''}`
      : file;
    const stmt = details.statement ? ` in \`${truncate(oneLine(details.statement), 120)}\`` : '';
    const after = details.rolledBack
      ? `it was rolled back and nothing after it ran; ${details.nextStep ?? 'fix the migration and run again'}`
      : `the database is now dirty at ${version}; inspect it, then run \`${adviceCommand(`force ${version}`)}\` or \`${adviceCommand(`force ${version} --not-applied`)}\``;
    super(
      `${where}: migration ${version} ${direction} failed${stmt}: ${oneLine(databaseMessage)}; ${after}`,
      {
        cause: details.cause,
      },
    );
  }
  get line(): number | undefined {
    return this.details.line;
  }
  get statement(): string | undefined {
    return this.details.statement;
  }
}

/** The connection cannot hold a session lock (transaction pooler) but the plan needs one. */
export class PoolerRefusedError extends MigrateError {
  override readonly name = 'PoolerRefusedError';
  readonly exitCode = 2;
  constructor(
    readonly versions: number[],
    readonly reason: string,
  ) {
    super(
      `migration${versions.length > 1 ? 's' : ''} ${versions.join(', ')} must run outside a transaction, which is unsafe here: ${reason}; use the direct connection (port 5432) or the session pooler for this deploy`,
    );
  }
}

/** Could not connect / the database refused us. */
export class ConnectionError extends MigrateError {
  override readonly name = 'ConnectionError';
  readonly exitCode = 1;
  constructor(
    readonly target: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`cannot connect to ${target}: ${reason}; ${hint}`);
  }
}

/** A TS migration that already runs in the engine's transaction opened another one. Nothing of it ran. */
export class NestedTransactionError extends MigrateError {
  override readonly name = 'NestedTransactionError';
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    /** The method called: `transaction` or `startTransaction`. */
    readonly method = 'transaction',
  ) {
    super(
      `${file} called db.${method}() inside a migration that already runs in a transaction (the engine commits it together with its tracking row); remove the call, or export const transaction = false and manage transactions yourself`,
    );
  }
}

/**
 * Raised by an adapter when, at the end of a step, the transaction it opened is
 * gone: the step itself committed or rolled back (e.g. a raw COMMIT). What ran
 * before that point may be committed, so the engine records the step as dirty.
 */
export class TransactionEndedError extends MigrateError {
  override readonly name = 'TransactionEndedError';
  readonly exitCode = 1;
  constructor(options: { cause?: unknown } = {}) {
    super(
      `the migration ended the engine's transaction itself (a COMMIT, ROLLBACK or BEGIN inside it), so what ran before that point is committed${options.cause instanceof Error ? `; then: ${oneLine(options.cause.message)}` : ''}`,
      options,
    );
  }
}

/**
 * The connection was lost while consecutive migrations travelled in one round
 * trip (decision 0007), each in its own transaction: the database applied
 * each of them entirely or not at all, but which ones committed is not known
 * here. Nothing is reported as applied that was not confirmed. Exit 4.
 */
export class BatchOutcomeUnknownError extends MigrateError {
  override readonly name = 'BatchOutcomeUnknownError';
  readonly exitCode = 4;
  constructor(
    readonly versions: readonly number[],
    options: { cause?: unknown } = {},
  ) {
    const why = options.cause instanceof Error ? ` (${oneLine(options.cause.message)})` : '';
    super(
      `the connection was lost while migrations ${versions[0]} to ${versions.at(-1)} ran${why}; each runs in its own transaction, so each is applied entirely or not at all, but which of them committed is not known here: run \`${adviceCommand('status')}\` to see, then \`${adviceCommand('latest')}\` again`,
      options,
    );
  }
}

/**
 * The "still our transaction" check failed while the step's transaction was
 * still open: the migration cleared the transaction-local setting the check
 * reads (its own RESET ALL), it did not end the transaction. The transaction
 * is rolled back; the step runner reports it as the migration's failure.
 */
export class TransactionCheckClearedError extends MigrateError {
  override readonly name = 'TransactionCheckClearedError';
  readonly exitCode = 1;
  constructor(options: { cause?: unknown } = {}) {
    super(
      "the migration cleared the session's settings (RESET ALL), which kmigrate reads to tell its transaction; reset what it changed by name instead (RESET search_path, …)",
      options,
    );
  }
}

/** A migration step ran longer than stepTimeoutMs (config) / --step-timeout. */
export class StepTimeoutError extends MigrateError {
  override readonly name = 'StepTimeoutError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly direction: 'up' | 'down',
    readonly timeoutMs: number,
  ) {
    super(
      `migration ${version} ${direction} did not finish within ${timeoutMs} ms (config stepTimeoutMs, --step-timeout)`,
    );
  }
}

/**
 * A run committed steps the database did not confirm as durable: the
 * connection or the server went away while the run's end flushed the WAL.
 * With `lost` known (the tracking rows read again after the server came back)
 * it names the steps the restart took back; otherwise only the database can
 * say. Either way steps printed as applied may not be. Exit 4.
 */
export class RunNotDurableError extends MigrateError {
  override readonly name = 'RunNotDurableError';
  readonly exitCode = 4;
  readonly commits: number;
  /** Steps this run committed that the database no longer has; undefined: not known. */
  readonly lost: readonly { version: number; name: string }[] | undefined;
  /** The run's own failure, when it failed too. */
  readonly runFailure: unknown;
  constructor(
    commits: number,
    options: {
      cause?: unknown;
      runFailure?: unknown;
      lost?: readonly { version: number; name: string }[];
    } = {},
  ) {
    const failed =
      options.runFailure instanceof Error
        ? `; the run itself failed: ${oneLine(options.runFailure.message)}`
        : '';
    const lost = options.lost;
    super(
      lost
        ? `the server restarted during the run and took back ${lost.length} step(s) it had committed (${lost.map((l) => `${l.version}_${l.name}`).join(', ')}): they are not applied now${failed}; run \`${adviceCommand('latest')}\` again`
        : `the run committed ${commits} step(s) but the database did not confirm they are durable (${options.cause instanceof Error ? oneLine(options.cause.message) : 'no answer'})${failed}; after a server crash some may be gone: check with \`${adviceCommand('status')}\` before going on`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.commits = commits;
    this.lost = lost;
    this.runFailure = options.runFailure;
  }
}
