import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type {
  DatabaseErrorInfo,
  DialectAdapter,
  HistoryGuard,
  LockedStepHints,
  LockOptions,
  StepOutcome,
} from '../../engine/dialect-adapter.ts';
import {
  LockTimeoutError,
  TransactionCheckClearedError,
  TransactionEndedError,
} from '../../engine/errors.ts';
import type { InvalidIndex } from '../../engine/invalid-index.ts';
import type { LockHolder } from '../../engine/lock-holder.ts';
import type { SchemaSnapshot, SnapshotOptions } from '../../engine/schema-snapshot.ts';
import { ScriptError } from '../../engine/script-error.ts';
import type { ScriptTransactions } from '../../engine/script-transactions.ts';
import type { BatchItem, BatchOutcome } from '../../engine/step-batch.ts';
import type { TrackingShapeReading } from '../../engine/tracking-shape.ts';
import type { TrackingWrite } from '../../engine/tracking-store.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { DriverBase } from '../driver-base.ts';
import { advisoryLockKey } from '../lock-key.ts';
import { statementsLogged } from '../statement-log.ts';
import { scriptTransactions } from '../transaction-control.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import { DeferredOpenings, type TakenOpening } from './deferred-openings.ts';
import { KEPT_CLOSING, type KeptCommit, KeptCommits } from './kept-commits.ts';
import { LockReleaseSignal, lockChannel, type NotificationSource } from './lock-release-signal.ts';
import { isManagedSchema } from './managed-schemas.ts';
import { describePostgresError } from './postgres-error-info.ts';
import { firstTrackingTables, TRACKING_EXISTS } from './postgres-first-tracking.ts';
import { postgresHistoryImport } from './postgres-history-import.ts';
import { inlineLiterals } from './postgres-inline-literals.ts';
import { postgresInvalidIndexes } from './postgres-invalid-indexes.ts';
import { advisoryLockHolders, blockingSessions } from './postgres-lock-holders.ts';
import { pollForLock } from './postgres-lock-poll.ts';
import {
  GUARD_MISMATCH,
  IN_FAILED_TRANSACTION,
  INVALID_SCHEMA,
  LOCK_NOT_AVAILABLE,
  lockName,
  ms,
  openingBlock,
  RESET_SESSION,
  STILL_OURS,
  sqlState,
  stepOpening,
  TRANSACTION_ENDED,
  UNDEFINED_COLUMN,
  UNDEFINED_TABLE,
} from './postgres-lock-sql.ts';
import { ASYNC_COMMIT, endRun } from './postgres-run-end.ts';
import { snapshotPostgresSchema } from './postgres-schema-snapshot.ts';
import { executePostgresScript } from './postgres-script.ts';
import { batchFailure, prepareBatch, SERVER_VALUES } from './postgres-script-batch.ts';
import { splitPostgresStatements } from './postgres-statement-splitter.ts';
import { postgresRepeatablesDdl, postgresTrackingDdl } from './postgres-tracking-ddl.ts';
import { readPostgresTrackingShape } from './postgres-tracking-shape.ts';

/** Statements PostgreSQL refuses inside a transaction block. */
export const NON_TRANSACTIONAL =
  /^(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b[^;]*\bconcurrently|vacuum\b|(create|drop)\s+database\b|alter\s+system\b|(create|drop)\s+tablespace\b)/i;

/** A word every NON_TRANSACTIONAL statement has: a script without one is not lexed for it. */
const NON_TRANSACTIONAL_WORD = /\b(concurrently|vacuum|database|system|tablespace)\b/i;

export interface PostgresAdapterOptions {
  /** Set when the URL points at a transaction-mode pooler (Supabase 6543, PgBouncer). */
  transactionPoolerReason?: string;
  /**
   * The pool's NOTIFY messages by channel, so that lock waiters LISTEN on
   * their session and wake when the holder releases (LockReleaseSignal).
   * Without it (a Kysely instance we did not open) waiters poll; behind a
   * transaction pooler it is ignored.
   */
  notices?: NotificationSource;
}

/**
 * PostgreSQL. Transactional migrations take a transaction-scoped advisory lock
 * (pg_advisory_xact_lock) keyed on (schema, table): nothing outlives the
 * transaction, so it is correct behind transaction-mode poolers. The bounded
 * wait is a polled try (see pollForLock).
 */
export class PostgresAdapter extends DriverBase<'postgres'> {
  readonly dialect = 'postgres';
  readonly displayName = 'PostgreSQL';
  readonly confirmDestructive = true;
  readonly historyImport = postgresHistoryImport;
  override readonly capabilities: DialectAdapter['capabilities'];
  override readonly defaultSchema = 'public';
  override readonly sessionLockUnavailableReason: string | undefined;

  constructor(options: PostgresAdapterOptions = {}) {
    super();
    this.capabilities = {
      transactionalDdl: true,
      sessionLock: !options.transactionPoolerReason,
      schemas: true,
      digestInSql: true,
    };
    this.sessionLockUnavailableReason = options.transactionPoolerReason;
    // LISTEN needs a session of its own: never behind a transaction pooler.
    this.#notices = options.transactionPoolerReason ? undefined : options.notices;
  }

  readonly #notices: NotificationSource | undefined;
  /** Set while a migration run holds the session lock: its step commits are asynchronous, counted here. */
  #deferred: { commits: number } | undefined;
  /** Openings sent with the script's round trip (hints.heldScript). */
  readonly #openings = new DeferredOpenings();
  /** COMMITs sent with the next script's round trip (hints.deferCommit), and round trips in flight. */
  readonly #kept = new KeptCommits();
  /** Markers of batched steps' COMMITs, unique in this process (postgres-script-batch.ts). */
  #batchMarkers = 0;
  /** The backend holding the session migration lock for this process right now (direct connections). */
  #lockHolderPid: number | undefined;

  /** The sessions blocking the statement our lock-holding backend runs now (none behind a pooler: no such backend). */
  async blockingSessions(db: AnyKysely): Promise<LockHolder[]> {
    const pid = this.#lockHolderPid;
    return pid === undefined ? [] : blockingSessions(db, pid);
  }

  /** The lock wait gave up: name who holds it (read on the waiting connection, which holds nothing). */
  async #lockTimeout(conn: AnyKysely, table: TrackingTable, key: string, waitedMs: number): Promise<Error> {
    const holders = await advisoryLockHolders(conn, key).catch(() => []);
    return new LockTimeoutError(waitedMs, lockName(table, key), holders);
  }

  /**
   * Cancels the running statement of the backend that holds our session lock
   * (pg_cancel_backend from a pooled connection of its own). Behind a
   * transaction pooler there is no such backend to name: the statement runs to
   * its end (statement_timeout bounds it) and the transaction rolls back then.
   */
  async cancelStatement(db: AnyKysely): Promise<void> {
    const pid = this.#lockHolderPid;
    if (pid === undefined) return;
    await sql`select pg_cancel_backend(${pid})`.execute(db).catch(() => undefined);
  }

  /** What a waiter for `key` listens to, when it can. */
  #signal(conn: AnyKysely, key: string): LockReleaseSignal | undefined {
    return this.#notices ? new LockReleaseSignal(conn, this.#notices, lockChannel(key)) : undefined;
  }

  override isManagedSchema(schema: string): boolean {
    return isManagedSchema(schema);
  }

  classifyTrackingReadError(error: unknown): 'absent' | 'malformed' | undefined {
    const code = sqlState(error);
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return 'absent';
    if (code === UNDEFINED_COLUMN) return 'malformed';
    return undefined;
  }

  repeatablesDdl(table: TrackingTable): string[] {
    return [postgresRepeatablesDdl(table.schema, table.name).join(';\n')];
  }

  readTrackingShape(db: AnyKysely, table: TrackingTable): Promise<TrackingShapeReading> {
    return readPostgresTrackingShape(db, table);
  }

  /**
   * A database without tracking tables (the first deploy): made in one round
   * trip (firstTrackingTables), and true — their shape is the DDL's own (not
   * while statements are logged: the lock's tries go on their own). When
   * one of them exists already (another migrator made them meanwhile, or one
   * was left behind), the general path creates what is missing: false, and
   * the caller reads the shape back.
   */
  override async ensureTrackingTables(
    db: AnyKysely,
    table: TrackingTable,
    lockTimeoutMs: number,
  ): Promise<boolean> {
    // While statements are logged (--verbose), each try of the lock would print the whole DDL.
    if (statementsLogged()) return super.ensureTrackingTables(db, table, lockTimeoutMs);
    await this.#settle(db);
    const key = advisoryLockKey(table.schema, table.name);
    const text = await firstTrackingTables(table, key);
    const made = await db.connection().execute(async (conn) => {
      let created = false;
      await pollForLock(
        async () => {
          try {
            await sql.raw(text).execute(conn);
            created = true;
            return true;
          } catch (error) {
            await this.rollbackQuietly(conn);
            if (sqlState(error) === LOCK_NOT_AVAILABLE) return false;
            if (sqlState(error) === TRACKING_EXISTS) return true;
            throw this.environmentFailure(error, 'creating the tracking tables');
          }
        },
        lockTimeoutMs,
        () => this.#lockTimeout(conn, table, key, lockTimeoutMs),
      );
      return created;
    });
    if (made) return true;
    return super.ensureTrackingTables(db, table, lockTimeoutMs);
  }

  trackingDdl(table: TrackingTable): string[] {
    // One statement: created under the lock, since concurrent CREATE TABLE IF NOT EXISTS can collide on pg_type.
    return [postgresTrackingDdl(table.schema, table.name).join(';\n')];
  }

  /**
   * One round trip per try: begin, the session reset, the migration's own
   * limits, then a DO block that tries the lock (55P03 when it is held) and
   * checks the guard's digest (KM001 when the history changed). On the
   * connection that holds the run's session lock, before a script
   * (hints.heldScript), no round trip of its own: the lock cannot be
   * unavailable, there is no guard, so the opening (with a plain SELECT for the
   * transaction id instead of the DO block) travels with the script.
   */
  protected async openLockedTransaction(
    conn: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
    hints: LockedStepHints,
  ): Promise<boolean> {
    await this.#kept.idle(this.sessionOf(conn));
    const limits = stepOpening(options);
    // Not while statements are logged (--verbose): the log shows the migration's SQL as its own query.
    if (hints.heldScript && !guard && !statementsLogged()) {
      // A COMMIT kept back by the step before goes with this opening and script.
      this.#openings.defer(conn, limits, hints.deferCommit === true && this.#deferred !== undefined);
      return true;
    }
    // Anything else on this connection: a kept COMMIT goes first, on its own (and stops us if it failed).
    await this.#settle(conn);
    const key = advisoryLockKey(table.schema, table.name);
    const check = guard
      ? { query: await inlineLiterals(guard.digestQuery(conn)), expected: guard.expected }
      : undefined;
    const opening = [...limits, openingBlock(key, check)].join('; ');
    let holds = true;
    await pollForLock(
      async () => {
        try {
          await sql.raw(opening).execute(conn);
          return true;
        } catch (error) {
          await this.rollbackQuietly(conn);
          if (sqlState(error) === LOCK_NOT_AVAILABLE) return false;
          if (sqlState(error) === GUARD_MISMATCH) {
            holds = false;
            return true;
          }
          throw error;
        }
      },
      options.lockTimeoutMs,
      () => this.#lockTimeout(conn, table, key, options.lockTimeoutMs),
    );
    return holds;
  }

  protected override async rollbackQuietly(conn: AnyKysely): Promise<void> {
    await this.#kept.idle(this.sessionOf(conn));
    // A deferred opening never sent: there is no transaction to roll back.
    if (this.#openings.discard(conn)) return;
    await super.rollbackQuietly(conn);
  }

  /** The session reset, the writes (values inlined: a multi-statement query carries no parameters) and COMMIT: one round trip. */
  protected override async commitWith(
    conn: AnyKysely,
    writes: readonly TrackingWrite[],
    options: { ownTransaction: boolean },
  ): Promise<void> {
    await this.#kept.idle(this.sessionOf(conn));
    await this.#openings.flush(conn);
    const statements = await Promise.all(writes.map((write) => inlineLiterals(write)));
    // The check rides with the tracking writes and COMMIT: if the step ended our transaction,
    // this batch runs on its own and the check aborts it before the rows are written.
    const check = options.ownTransaction ? [STILL_OURS] : [];
    // Inside a run holding the session lock, a step's commit need not wait for its WAL flush:
    // the run's end flushes once (#endRun). After the reset: RESET ALL would undo it.
    const relaxed = this.#deferred ? [ASYNC_COMMIT] : [];
    try {
      await sql.raw([...check, RESET_SESSION, ...relaxed, ...statements, 'commit'].join(';\n')).execute(conn);
    } catch (error) {
      if (sqlState(error) !== TRANSACTION_ENDED) throw error;
      // The check failed inside the transaction (now aborted): the migration cleared the setting it
      // reads (RESET ALL) and nothing is committed. Outside any transaction: it ended it itself.
      throw (await this.#inFailedTransaction(conn))
        ? new TransactionCheckClearedError({ cause: error })
        : new TransactionEndedError();
    }
    if (this.#deferred) this.#deferred.commits++;
  }

  /**
   * A step whose script ended at the kept-commit savepoint (its "still ours" check already
   * passed): its writes and COMMIT wait for the next step's script (one round trip per
   * migration). The step is done only when `committed` resolves.
   */
  protected override async deferCommit(
    conn: AnyKysely,
    writes: readonly TrackingWrite[],
  ): Promise<{ committed: Promise<void> } | undefined> {
    const session = this.sessionOf(conn);
    await this.#kept.idle(session);
    if (!this.#deferred || !this.#kept.takeClosed(session)) return undefined;
    const statements = await Promise.all(writes.map((write) => inlineLiterals(write)));
    // Counted now: the run's end flushes the WAL if any step may have committed asynchronously.
    this.#deferred.commits++;
    return { committed: this.#kept.keep(session, [RESET_SESSION, ASYNC_COMMIT], statements) };
  }

  override async settleCommit(conn: AnyKysely): Promise<void> {
    // A failure is the kept step's, and reaches its caller through that step's `committed`.
    await this.#settle(conn).catch(() => undefined);
  }

  /** Sends a kept COMMIT on its own, if one waits; throws (after settling it) when it failed. */
  async #settle(conn: AnyKysely): Promise<void> {
    const session = this.sessionOf(conn);
    await this.#kept.idle(session);
    const kept = this.#kept.take(session);
    if (kept) await this.#commitKept(conn, kept);
  }

  async #commitKept(conn: AnyKysely, kept: KeptCommit): Promise<void> {
    try {
      await sql.raw(kept.text).execute(conn);
    } catch (error) {
      await super.rollbackQuietly(conn);
      const failure = this.environmentFailure(error, 'committing');
      kept.reject(failure);
      throw failure;
    }
    kept.resolve();
  }

  /** An aborted transaction refuses every statement but ROLLBACK (25P02); outside one `select 1` runs. */
  async #inFailedTransaction(conn: AnyKysely): Promise<boolean> {
    try {
      await sql.raw('select 1').execute(conn);
      return false;
    } catch (error) {
      return sqlState(error) === IN_FAILED_TRANSACTION;
    }
  }

  /** After a failed step: is the connection still in the transaction openLockedTransaction started? */
  protected override async transactionEnded(conn: AnyKysely): Promise<boolean> {
    await this.#kept.idle(this.sessionOf(conn));
    // The opening never went out (the script's round trip did not happen): nothing was opened, nothing ended.
    if (this.#openings.discard(conn)) return false;
    try {
      await sql.raw(STILL_OURS).execute(conn);
      return false;
    } catch (error) {
      // An aborted transaction block refuses every query: it is still a transaction, and rolls back.
      if (sqlState(error) !== TRANSACTION_ENDED) return false;
      // Not in our transaction after a script sent with its opening: ended only if the opening ran.
      return (await this.#openings.openingRan(conn)) ?? true;
    }
  }

  async withSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T> {
    // Without stillNeeded the wait never gives up: it ends locked or with LockTimeoutError.
    const outcome = await this.#holdingSessionLock(db, table, options, undefined, fn);
    return (outcome as { ran: true; value: T }).value;
  }

  override async withRunLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    stillNeeded: (conn: AnyKysely) => Promise<boolean>,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    return this.#holdingSessionLock(db, table, options, stillNeeded, fn);
  }

  async #holdingSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    stillNeeded: ((conn: AnyKysely) => Promise<boolean>) | undefined,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    const key = advisoryLockKey(table.schema, table.name);
    // A COMMIT kept back on this session goes before anything else the lock's holder does.
    await this.#settle(db);
    return db.connection().execute(async (conn): Promise<StepOutcome<T>> => {
      let pid: number | undefined;
      // The server's start, to tell after a lost session whether it restarted meanwhile (run-end).
      let serverStarted: string | undefined;
      const locked = await pollForLock(
        async () => {
          const { rows } = await sql
            .raw<{ locked: boolean; pid: number; started: string }>(
              `select pg_try_advisory_lock(${key}) as locked, pg_backend_pid() as pid, pg_postmaster_start_time()::text as started`,
            )
            .execute(conn);
          pid = rows[0]?.pid;
          serverStarted = rows[0]?.started;
          return rows[0]?.locked === true;
        },
        options.lockTimeoutMs,
        () => this.#lockTimeout(conn, table, key, options.lockTimeoutMs),
        this.#signal(conn, key),
        stillNeeded && (() => stillNeeded(conn)),
      );
      if (!locked) return { ran: false };
      // The backend that runs the steps, for cancelStatement; the outermost hold owns it.
      const owner = this.#lockHolderPid === undefined && pid !== undefined;
      if (owner) this.#lockHolderPid = pid;
      // A migration run (stillNeeded) commits its steps asynchronously; anything else as usual.
      const deferred = stillNeeded && !this.#deferred ? { commits: 0 } : undefined;
      if (deferred) this.#deferred = deferred;
      const end = async (failure?: unknown) => {
        // The engine settles every kept COMMIT before it ends a run; should one still wait, it goes.
        await this.settleCommit(conn);
        if (owner) this.#lockHolderPid = undefined;
        if (deferred) this.#deferred = undefined;
        return endRun({ conn, pool: db, key, asyncCommits: deferred?.commits ?? 0, serverStarted }, failure);
      };
      let value: T;
      try {
        await sql
          .raw(
            `${RESET_SESSION}; set lock_timeout = ${ms(options.statementLockTimeoutMs)}; set statement_timeout = ${ms(options.statementTimeoutMs)}`,
          )
          .execute(conn);
        value = await fn(conn);
      } catch (error) {
        await end(error);
        throw error;
      }
      await end();
      return { ran: true, value };
    });
  }

  async isLockHeld(db: AnyKysely, table: TrackingTable): Promise<boolean> {
    // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
    const key = BigInt(advisoryLockKey(table.schema, table.name));
    const high = Number((key >> 32n) & 0xffffffffn);
    const low = Number(key & 0xffffffffn);
    const { rows } = await sql<{ held: boolean }>`select exists (
      select 1 from pg_locks
      where locktype = 'advisory' and granted and objsubid = 1
        and classid::bigint = ${high} and objid::bigint = ${low}
        and database = (select oid from pg_database where datname = current_database())
        and pid <> pg_backend_pid()
    ) as held`.execute(db);
    return rows[0]?.held === true;
  }

  executeScript(conn: AnyKysely, script: string, options: { inTransaction: boolean }): Promise<void> {
    // Tracked from this call on: a caller that stops waiting (a signal, the step timeout) and cleans
    // up must not send anything while this round trip, or finding out what it did, is in flight.
    const session = this.sessionOf(conn);
    const before = this.#kept.idle(session);
    return this.#kept.track(
      session,
      before.then(() => this.#runScript(conn, session, script, options)),
    );
  }

  async #runScript(
    conn: AnyKysely,
    session: AnyKysely,
    script: string,
    options: { inTransaction: boolean },
  ): Promise<void> {
    const opening = options.inTransaction ? this.#openings.takeForScript(conn) : undefined;
    this.#kept.takeClosed(session);
    if (opening === undefined) {
      const kept = this.#kept.take(session);
      if (kept) await this.#commitKept(conn, kept);
      await this.#openings.flush(conn);
      return executePostgresScript(conn, script, options);
    }
    const kept = this.#kept.take(session);
    const closing = opening.closing ? KEPT_CLOSING : '';
    try {
      await executePostgresScript(conn, script, {
        ...options,
        opening: kept ? `${kept.text};\n${opening.text}` : opening.text,
        closing,
      });
    } catch (error) {
      if (!kept) throw error;
      await this.#afterKeptFailure(conn, kept, opening, error, () =>
        executePostgresScript(conn, script, { ...options, opening: opening.text, closing }),
      );
    }
    kept?.resolve();
    if (closing) this.#kept.markClosed(session);
  }

  /**
   * The round trip carrying the previous step's kept COMMIT and this step's
   * script failed: settle the kept step by what the server did, then either
   * throw this step's failure or, when the failure stopped the string before
   * the COMMIT ran (a syntax error: the step before is intact at its
   * savepoint), send the COMMIT and then the script again, each on its own.
   */
  async #afterKeptFailure(
    conn: AnyKysely,
    kept: KeptCommit,
    opening: TakenOpening,
    error: unknown,
    again: () => Promise<void>,
  ): Promise<void> {
    const fate = await this.#kept.fate(conn, kept, opening.marker);
    if (fate === 'committed') {
      kept.resolve();
      throw error;
    }
    if (fate === 'intact') {
      await this.#commitKept(conn, kept);
      return again();
    }
    // Its COMMIT failed (the error is the COMMIT's, as the database said it), or nothing can
    // tell: the kept step is not done.
    kept.reject(this.environmentFailure(error instanceof ScriptError ? error.cause : error, 'committing'));
    throw error;
  }

  /**
   * Consecutive script steps in one round trip (postgres-script-batch.ts), on the
   * connection holding a migration run's session lock. Not while statements are
   * logged (--verbose shows each migration's SQL as its own query), and not outside
   * such a run: its commits are asynchronous, and only a run's end flushes them.
   */
  async runScriptBatch(
    conn: AnyKysely,
    items: readonly BatchItem[],
    options: LockOptions,
    onSent?: () => void,
  ): Promise<BatchOutcome | undefined> {
    const deferred = this.#deferred;
    if (!deferred || statementsLogged()) return undefined;
    const session = this.sessionOf(conn);
    // The engine settles a kept COMMIT before a batch; should one still wait, it goes first.
    await this.#settle(conn);
    const limits = stepOpening(options);
    const steps = await Promise.all(
      items.map(async (item) => ({
        sql: unwrapTransaction(item.script, splitPostgresStatements),
        writes: await Promise.all(item.writes.map((write) => inlineLiterals(write, SERVER_VALUES))),
      })),
    );
    const batch = prepareBatch(steps, limits, () => `${process.pid}.b${++this.#batchMarkers}`);
    // Counted before: the run's end flushes the WAL if any of them may have committed.
    deferred.commits += items.length;
    onSent?.();
    const run = sql
      .raw(batch.text)
      .execute(conn)
      .then(
        (): BatchOutcome => ({ kind: 'done' }),
        (error: unknown) => batchFailure(conn, batch, error),
      );
    // Anything else on this session waits for the round trip and for finding out what it did.
    return this.#kept.track(session, run);
  }

  findNonTransactionalStatement(script: string): string | undefined {
    if (!NON_TRANSACTIONAL_WORD.test(script)) return undefined;
    return splitPostgresStatements(script).find((s) => NON_TRANSACTIONAL.test(s.sql))?.sql;
  }

  scriptTransactions(script: string): ScriptTransactions {
    return scriptTransactions(script, splitPostgresStatements, (sql) => NON_TRANSACTIONAL.test(sql));
  }

  override describeError(error: unknown): DatabaseErrorInfo {
    return describePostgresError(error);
  }

  override isLockTimeout(error: unknown): boolean {
    return sqlState(error) === LOCK_NOT_AVAILABLE;
  }

  snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot> {
    return snapshotPostgresSchema(db, options);
  }

  invalidIndexes(db: AnyKysely, schemas?: readonly string[]): Promise<InvalidIndex[]> {
    return postgresInvalidIndexes(db, schemas);
  }
}
