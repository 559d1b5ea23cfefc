import type { AnyKysely } from './any-kysely.ts';
import type { HistoryImportDialect } from './history-import-dialect.ts';
import type { InvalidIndex } from './invalid-index-type.ts';
import type { LockHolder } from './lock-holder.ts';
import type { SchemaSnapshot, SnapshotOptions } from './schema-snapshot.ts';
import type { ScriptTransactions } from './script-transactions.ts';
import type { BatchItem, BatchOutcome } from './step-batch.ts';
import type { TrackingShapeReading } from './tracking-shape.ts';
import type { TrackingStoreDriver, TrackingWrite } from './tracking-store.ts';
import type { TrackingTable } from './types.ts';

/** What the engine promises about a runLocked call, so a driver may spend fewer round trips. */
export interface LockedStepHints {
  /**
   * `db` is the connection that holds the run's session lock (so the lock
   * cannot be unavailable and there is no guard), and `fn` sends nothing
   * before its one executeScript(…, { inTransaction: true }) call: a driver
   * may send its opening in the same round trip as the script.
   */
  heldScript?: boolean;
  /**
   * With `heldScript`: the caller's next use of `db` is the next step's
   * runLocked (or settleCommit). The driver may then keep this step's tracking
   * writes and COMMIT back and send them in the next script's round trip; the
   * outcome's `committed` settles when they went (rejects when the COMMIT did
   * not happen, with why), and nothing may be reported as done before.
   */
  deferCommit?: boolean;
  /**
   * The step's SQL script, when it is one: a driver may prepare the
   * transaction it opens for it (SQLite turns foreign keys off before BEGIN
   * for a script that turns them off, which inside a transaction does nothing).
   */
  script?: string;
}

/**
 * Everything the engine needs from a database, and nothing more. Adapters are
 * kept "dumb" (golang-migrate's rule): they run what they are told; all
 * decisions live in the engine. Each method says who calls it and when.
 */
export interface DialectAdapter<Name extends string = string> extends TrackingStoreDriver {
  /** The dialect's name, for messages and configuration ("postgres", "sqlite"). The engine never branches on it. */
  readonly dialect: Name;

  readonly capabilities: {
    /** DDL rolls back with the transaction (both of ours do; MySQL would not). */
    readonly transactionalDdl: boolean;
    /**
     * A lock that outlives a transaction can be held. False behind a
     * transaction-mode pooler, where non-transactional migrations are refused.
     */
    readonly sessionLock: boolean;
    /** Tables live in a named schema (PostgreSQL); false: TrackingTable.schema is ignored (SQLite). */
    readonly schemas: boolean;
    /**
     * The database computes historyDigest itself (TrackingStore.digestQuery: md5 and string_agg), so
     * a lock waiter's "has the history moved?" reads one row instead of the whole history.
     */
    readonly digestInSql: boolean;
  };

  /** The schema a tracking table goes to when the configuration names none ('public' on PostgreSQL). */
  readonly defaultSchema: string;

  /**
   * Schemas the database or its platform manages (PostgreSQL's pg_*, Supabase's
   * auth, storage, …): drift and verify never compare them. The engine asks
   * the driver instead of keeping a platform's list.
   */
  isManagedSchema(schema: string): boolean;

  /** The database's product name for messages ("PostgreSQL", "SQLite"). */
  readonly displayName: string;

  /**
   * Policy, not a database property: true when a down/to/redo on this kind of
   * database asks first (PostgreSQL is where production lives; SQLite is a dev file).
   * The CLI reads it instead of naming a dialect.
   */
  readonly confirmDestructive: boolean;

  /** Reads and DDL for importing golang-migrate / Supabase CLI history (baseline --from). */
  readonly historyImport: HistoryImportDialect;

  /** Why sessionLock is false, for the refusal message (e.g. "port 6543 is Supabase's transaction pooler"). */
  readonly sessionLockUnavailableReason?: string | undefined;

  /**
   * Called before the first write when the tracking table does not exist.
   * Creates the tracking and history tables; safe when many processes race.
   * True when this call made them and no table of kmigrate's for `table`
   * existed: their shape is then the DDL's own, and need not be read back.
   */
  ensureTrackingTables(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<boolean>;

  /**
   * Called before the first repeatable migration is applied, when
   * `<table>_repeatables` does not exist (after ensureTrackingTables). Creates
   * it; safe when many processes race. Databases without repeatables never
   * get the table.
   */
  ensureRepeatablesTable(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<void>;

  /**
   * Called once per run, before its first write to existing tracking tables
   * (TrackingStore.assertShape): the tracking tables' columns and declared
   * types from the catalog (`_repeatables` too when it exists), which columns
   * alone are unique, and how this dialect spells the statements that repair
   * them. One round trip where possible.
   */
  readTrackingShape(db: AnyKysely, table: TrackingTable): Promise<TrackingShapeReading>;

  /**
   * Called once per transactional step, and once by every other state-changing
   * command (force, repair, baseline, history import): the hot path of every
   * deploy, so it is built for few round trips. Opens a transaction, takes the
   * migration lock inside it (waiting at most `lockTimeoutMs`, then throwing
   * LockTimeoutError), starts from the default session state, applies the
   * per-migration limits and, when `guard` is given, checks under the lock that
   * the tracking rows still have the digest the plan was made from. When they
   * do not, it rolls back and returns `{ ran: false }` without calling `fn`.
   * Otherwise it runs `fn`, sends the writes `fn` passed to `finish` together
   * with COMMIT when it can, and rolls back if anything throws. Correct behind
   * transaction-mode poolers: nothing outlives the transaction.
   */
  runLocked<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
    fn: (trx: AnyKysely, finish: (write: TrackingWrite) => void) => Promise<T>,
    hints?: LockedStepHints,
  ): Promise<StepOutcome<T>>;

  /**
   * Called once per non-transactional step (only when capabilities.sessionLock).
   * Takes a session-level lock on one pinned connection, resets the session
   * to its defaults, runs `fn` on that connection in autocommit mode, resets
   * the session again and always releases the lock.
   */
  withSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T>;

  /**
   * Called once per run of steps, only when capabilities.sessionLock. Like
   * withSessionLock (one pinned connection holds the lock for all of `fn`,
   * released always), but built for many migrators starting at once: a waiter
   * sleeps until the holder releases (woken by it where the database can, e.g.
   * LISTEN/NOTIFY, never inside a transaction that holds a snapshot), and after
   * every wake-up asks `stillNeeded` (one read on the given connection): when
   * it says false, the wait ends with `{ ran: false }` and `fn` never runs.
   */
  withRunLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    stillNeeded: (conn: AnyKysely) => Promise<boolean>,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<StepOutcome<T>>;

  /**
   * Called by a non-transactional step, on the connection withSessionLock
   * pinned, to record its end: the writes in one transaction (together with
   * COMMIT when the driver can), rolled back as a whole on error.
   */
  commitWrites(conn: AnyKysely, writes: readonly TrackingWrite[]): Promise<void>;

  /**
   * Sends a COMMIT kept back on `conn` (hints.deferCommit) on its own, if one
   * waits, and settles its `committed`; resolves once nothing waits.
   */
  settleCommit(conn: AnyKysely): Promise<void>;

  /**
   * Optional (drivers with round trips worth saving): runs `items`, consecutive
   * transactional script steps, on `conn` — the connection holding the run's
   * session lock — in one round trip, each in its own transaction (the limits of
   * `options`, the script, its tracking writes, COMMIT), as psql runs a file of
   * BEGIN … COMMIT blocks (decision 0007). Undefined: it does not batch now (the
   * statements are being logged); the caller runs them one by one. Throws
   * BatchOutcomeUnknownError when what the database did cannot be told.
   */
  runScriptBatch?(
    conn: AnyKysely,
    items: readonly BatchItem[],
    options: LockOptions,
    /** Called as the round trip goes out (never when the driver does not batch). */
    onSent?: () => void,
  ): Promise<BatchOutcome | undefined>;

  /**
   * Called by `status` and `force` when a row is running/reverting: true when
   * another session holds the migration lock right now (its step is still in
   * progress), false when nobody does (the step died: the row is dirty).
   * Never waits.
   */
  isLockHeld(db: AnyKysely, table: TrackingTable): Promise<boolean>;

  /**
   * Runs an SQL file's text. `inTransaction` true: the whole text is sent to the
   * database, which parses it. false: statements are sent one by one, because
   * e.g. CREATE INDEX CONCURRENTLY cannot run in an implicit transaction block.
   */
  executeScript(conn: AnyKysely, sql: string, options: { inTransaction: boolean }): Promise<void>;

  /**
   * Called at plan time for SQL steps. Returns the statement that cannot run
   * inside a transaction (e.g. CREATE INDEX CONCURRENTLY), or undefined. Lets
   * a golang-migrate folder work without adding a no-transaction marker.
   */
  findNonTransactionalStatement(script: string): string | undefined;

  /**
   * Called at plan time for every SQL step: how the script's own transaction
   * statements stand (ScriptTransactions: none, complete blocks of its own,
   * or refused with the statement and its 0-based offset), read with the
   * dialect's lexer so that `DO $$ … COMMIT … $$` and trigger bodies never count.
   */
  scriptTransactions(script: string): ScriptTransactions;

  /**
   * After a step that runs outside the engine's transaction failed: ends a
   * transaction block the script itself opened (ROLLBACK; quietly nothing when
   * none is open), so that the step's error can be recorded on the session.
   */
  abandonTransaction(conn: AnyKysely): Promise<void>;

  /**
   * Called before a non-transactional step and after it failed (to name what
   * it left behind), and by `status` with the schemas it reports on: indexes
   * the database keeps but does not use (PostgreSQL: a failed or cancelled
   * CREATE INDEX CONCURRENTLY leaves one INVALID). Without `schemas`: every
   * schema but the system's. Absent: the database has no such thing (SQLite).
   */
  invalidIndexes?(db: AnyKysely, schemas?: readonly string[]): Promise<InvalidIndex[]>;

  /**
   * Called by the signal guard (SIGINT/SIGTERM while a step runs), from outside
   * the step: asks the server to cancel the statement that the connection
   * holding the migration lock runs now, over another connection of `db`, so
   * that the step's transaction can roll back and its locks go at once instead
   * of when the statement ends. Resolves when asked; never throws. Absent: the
   * database cannot be interrupted (SQLite runs statements synchronously).
   */
  cancelStatement?(db: AnyKysely): Promise<void>;

  /**
   * Called by the step runner while a migration's statement has been running
   * for a while (it may be waiting for a lock another session holds): the
   * sessions that block it now, so that giving up can name them. Never waits.
   * Absent or empty: the database cannot tell.
   */
  blockingSessions?(db: AnyKysely): Promise<LockHolder[]>;

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

/**
 * The condition a locked run checks under the lock: the tracking rows still
 * have the digest (historyDigest) of the rows the plan was made from, with the
 * plan's own earlier steps applied.
 */
export interface HistoryGuard {
  readonly expected: string;
  /** Reads the rows on `conn` and digests them (one query). */
  digestOf(conn: AnyKysely): Promise<string>;
  /** The same digest as one SELECT with a `digest` column, for drivers that fold it into their lock round trip. */
  digestQuery(conn: AnyKysely): TrackingWrite;
}

/**
 * `committed`: present when the driver kept the COMMIT back (hints.deferCommit);
 * the step is done only once it resolves.
 */
export type StepOutcome<T> = { ran: true; value: T; committed?: Promise<void> } | { ran: false };

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
  /** When the migration is not at fault (disk full, read-only file): what to do instead of fixing it. */
  nextStep?: string;
}
