import type { CompiledQuery } from 'kysely';
import type { AnyKysely } from './any-kysely.ts';
import type { SchemaSnapshot, SnapshotOptions } from './schema-snapshot.ts';
import type { SplitStatement } from './statement-splitter.ts';
import type { MigrationState, TrackingRow, TrackingTable } from './types.ts';

/**
 * Everything the engine needs from a database, and nothing more. Adapters are
 * kept "dumb" (golang-migrate's rule): they run what they are told; all
 * decisions live in the engine. Each method says who calls it and when.
 */
export interface DialectAdapter {
  readonly dialect: 'sqlite' | 'postgres';

  readonly capabilities: {
    /** DDL rolls back with the transaction (both of ours do; MySQL would not). */
    readonly transactionalDdl: boolean;
    /**
     * A lock that outlives a transaction can be held. False behind a
     * transaction-mode pooler, where non-transactional migrations are refused.
     */
    readonly sessionLock: boolean;
  };

  /** Why sessionLock is false, for the refusal message (e.g. "port 6543 is Supabase's transaction pooler"). */
  readonly sessionLockUnavailableReason?: string;

  /**
   * Called once per command, first. One round trip: all tracking rows ordered
   * by version, or `null` when the table does not exist yet. Throws
   * TrackingTableError when the table exists but is not ours.
   */
  readTrackingRows(db: AnyKysely, table: TrackingTable): Promise<TrackingRow[] | null>;

  /**
   * Called before the first write when readTrackingRows returned null.
   * Creates the tracking and history tables; safe when many processes race.
   */
  ensureTrackingTables(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<void>;

  /**
   * Called once per transactional step. Opens a transaction, takes the
   * migration lock inside it (waiting at most `lockTimeoutMs`, then throwing
   * LockTimeoutError), applies per-migration settings, runs `fn`, commits; rolls
   * back if `fn` throws. Correct behind transaction-mode poolers: nothing
   * outlives the transaction.
   */
  inLockedTransaction<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (trx: AnyKysely) => Promise<T>,
  ): Promise<T>;

  /**
   * Called once per transactional migration step: the hot path of every
   * deploy, so it is built for few round trips. Like inLockedTransaction, but
   * under the lock (in the same round trip on PostgreSQL) it reads the tracking
   * row of `guard.version`. When that row's state is not what `guard.expect`
   * says, it rolls back and returns `{ ran: false, state }` without calling
   * `fn` (another process did the step, or the row is dirty). Queries `fn`
   * passes to `finish` (the tracking-row writes) are sent together with COMMIT.
   */
  runLockedStep<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: StepGuard,
    fn: (trx: AnyKysely, finish: (query: CompiledQuery) => void) => Promise<T>,
  ): Promise<StepOutcome<T>>;

  /**
   * Called once per non-transactional step (only when capabilities.sessionLock).
   * Takes a session-level lock on one pinned connection, runs `fn` on that
   * connection in autocommit mode, always releases the lock.
   */
  withSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T>;

  /**
   * Runs an SQL file's text. `inTransaction` true: the whole text is sent to the
   * database, which parses it. false: statements are sent one by one, because
   * e.g. CREATE INDEX CONCURRENTLY cannot run in an implicit transaction block.
   */
  executeScript(conn: AnyKysely, sql: string, options: { inTransaction: boolean }): Promise<void>;

  /** The tracking table (or its `_history` companion when `suffix` is given) as quoted SQL. */
  qualifiedTable(table: TrackingTable, suffix?: string): string;

  /**
   * Called at plan time for SQL steps. Returns the statement that cannot run
   * inside a transaction (e.g. CREATE INDEX CONCURRENTLY), or undefined. Lets
   * a golang-migrate folder work without adding a no-transaction marker.
   */
  findNonTransactionalStatement(script: string): string | undefined;

  /**
   * Called at plan time for SQL steps that run in a transaction. Returns the
   * first statement that would end or open a transaction (COMMIT, ROLLBACK,
   * BEGIN, SAVEPOINT, END, …) beyond a whole-file BEGIN/COMMIT wrapper, with
   * its 0-based offset, or undefined. The engine refuses such a file.
   */
  findTransactionControl(script: string): SplitStatement | undefined;

  /** Extracts what a user needs from a driver error (message, SQLSTATE, 1-based char position). */
  describeError(error: unknown): DatabaseErrorInfo;

  /** True when the error is a lock_timeout / busy error worth retrying. */
  isLockTimeout(error: unknown): boolean;

  /**
   * Called by drift and verify. Reads the schema's objects (tables, columns,
   * constraints, indexes, views, triggers, …) into a sorted, dialect-neutral
   * snapshot, leaving out `excludeTables` and all they own.
   */
  snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot>;
}

/** What the tracking row of a step must look like for the step to run. */
export interface StepGuard {
  version: number;
  /** `absent` before an up, `applied` before a down. */
  expect: 'absent' | 'applied';
}

export type StepOutcome<T> = { ran: true; value: T } | { ran: false; state: MigrationState | undefined };

export interface LockOptions {
  /** Max wait for the migration lock. */
  lockTimeoutMs: number;
  /** PostgreSQL: lock_timeout for the migration's own statements. */
  statementLockTimeoutMs: number;
  /** PostgreSQL: statement_timeout for the migration's own statements (0 = none). */
  statementTimeoutMs: number;
  /**
   * PostgreSQL: idle_in_transaction_session_timeout of a step's transaction (0 or
   * absent = none), so the server ends a session whose client stopped mid-step.
   */
  idleInTransactionTimeoutMs?: number;
}

export interface DatabaseErrorInfo {
  message: string;
  code?: string;
  /** 1-based character offset into the SQL that was sent. */
  position?: number;
  detail?: string;
  hint?: string;
}
