import { sql } from 'kysely';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type {
  DatabaseErrorInfo,
  DialectAdapter,
  HistoryGuard,
  LockedStepHints,
  LockOptions,
  StepOutcome,
} from '../engine/dialect-adapter.ts';
import { TransactionEndedError } from '../engine/errors.ts';
import type { SchemaSnapshot, SnapshotOptions } from '../engine/schema-snapshot.ts';
import type { ScriptTransactions } from '../engine/script-transactions.ts';
import type { TrackingShapeReading } from '../engine/tracking-shape.ts';
import type { TrackingWrite } from '../engine/tracking-store.ts';
import type { TrackingTable } from '../engine/types.ts';

/** What the engine was doing when an environmentFailure happened. */
export type EnvironmentFailureContext =
  | 'committing'
  | 'writing tracking rows'
  | 'creating the tracking tables';

/**
 * What every driver shares (kysely's DialectAdapterBase idea): the
 * transaction skeleton of a locked run — lock, open, guard, body, writes with
 * COMMIT, ROLLBACK on any error — and defaults for every capability, so a new
 * capability never breaks a driver. A driver fills in the hooks: how it opens
 * a locked transaction, how writes travel with COMMIT, how its session is reset.
 */
export abstract class DriverBase<Name extends string = string> implements DialectAdapter<Name> {
  abstract readonly dialect: Name;
  abstract readonly displayName: string;
  abstract readonly confirmDestructive: boolean;
  abstract readonly historyImport: DialectAdapter['historyImport'];
  readonly capabilities: DialectAdapter['capabilities'] = {
    transactionalDdl: true,
    sessionLock: true,
    schemas: false,
    digestInSql: false,
  };
  readonly defaultSchema: string = 'main';
  readonly sessionLockUnavailableReason: string | undefined = undefined;

  /** No managed schemas by default (SQLite has one schema, ours). */
  isManagedSchema(_schema: string): boolean {
    return false;
  }

  async runLocked<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
    fn: (trx: AnyKysely, finish: (write: TrackingWrite) => void) => Promise<T>,
    hints: LockedStepHints = {},
  ): Promise<StepOutcome<T>> {
    return this.withMigrationLock(options, () =>
      db.connection().execute(async (conn): Promise<StepOutcome<T>> => {
        this.#sessions.set(conn, db);
        const guardHolds = await this.openLockedTransaction(conn, table, options, guard, hints);
        if (!guardHolds) return { ran: false };
        const writes: TrackingWrite[] = [];
        let value: T;
        try {
          value = await fn(conn, (write) => writes.push(write));
        } catch (error) {
          const ended = await this.transactionEnded(conn, error);
          await this.rollbackQuietly(conn);
          throw ended ? new TransactionEndedError({ cause: error }) : error;
        }
        try {
          // Kept back to travel with the next step's script (PostgreSQL): settled by that round trip.
          const kept = hints.deferCommit ? await this.deferCommit(conn, writes) : undefined;
          if (kept) return { ran: true, value, committed: kept.committed };
          await this.commitWith(conn, writes, { ownTransaction: true });
          return { ran: true, value };
        } catch (error) {
          await this.rollbackQuietly(conn);
          throw this.environmentFailure(error, 'committing');
        }
      }),
    );
  }

  async commitWrites(conn: AnyKysely, writes: readonly TrackingWrite[]): Promise<void> {
    await this.executeRaw(conn, 'begin');
    try {
      await this.commitWith(conn, writes, { ownTransaction: false });
    } catch (error) {
      await this.rollbackQuietly(conn);
      throw this.environmentFailure(error, 'writing tracking rows');
    }
  }

  /** For each connection runLocked opened, the Kysely it was opened from (sessionOf). */
  readonly #sessions = new WeakMap<AnyKysely, AnyKysely>();

  /**
   * What stays the same for one database session across runLocked calls:
   * every call wraps its connection in a new Kysely, but the engine passes the
   * run's held connection as `db` each time.
   */
  protected sessionOf(conn: AnyKysely): AnyKysely {
    return this.#sessions.get(conn) ?? conn;
  }

  /** No driver keeps a COMMIT back by default (deferCommit): nothing ever waits. */
  async settleCommit(_conn: AnyKysely): Promise<void> {}

  /**
   * hints.deferCommit: keep `writes` and COMMIT back for the next step's round
   * trip, returning the promise that settles when they went; undefined (the
   * default) commits now as usual.
   */
  protected async deferCommit(
    _conn: AnyKysely,
    _writes: readonly TrackingWrite[],
  ): Promise<{ committed: Promise<void> } | undefined> {
    return undefined;
  }

  /** Creates what is missing; false: the shape is not known here (the caller reads it back). */
  async ensureTrackingTables(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<boolean> {
    await this.#runDdl(db, table, lockTimeoutMs, this.trackingDdl(table));
    return false;
  }

  async ensureRepeatablesTable(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<void> {
    await this.#runDdl(db, table, lockTimeoutMs, this.repeatablesDdl(table));
  }

  /** DDL under the migration lock, in one transaction. */
  async #runDdl(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number, ddl: string[]): Promise<void> {
    await this.runLocked(
      db,
      table,
      { lockTimeoutMs, statementLockTimeoutMs: 0, statementTimeoutMs: 0 },
      undefined,
      async (trx) => {
        try {
          for (const statement of ddl) await sql.raw(statement).execute(trx);
        } catch (error) {
          throw this.environmentFailure(error, 'creating the tracking tables');
        }
      },
    );
  }

  /**
   * An error raised outside a migration's own statements (its COMMIT, the
   * tracking rows, the tracking tables), after the transaction was rolled
   * back: a driver turns a failure of the machine (a full disk, a read-only
   * file) into an error that names it; anything else is returned as it is.
   */
  protected environmentFailure(error: unknown, _while: EnvironmentFailureContext): unknown {
    return error;
  }

  /** The repeatables table's DDL (CREATE … IF NOT EXISTS), in order. */
  abstract repeatablesDdl(table: TrackingTable): string[];

  /** The tracking and history tables' DDL (CREATE … IF NOT EXISTS), in order. */
  abstract trackingDdl(table: TrackingTable): string[];

  /**
   * Opens a transaction on `conn` holding the migration lock, from the default
   * session state, and checks `guard`. Returns false (after rolling back) when
   * the guard does not hold. The default checks the guard with one more query.
   * With `hints.heldScript` a driver may defer its opening to the script's round trip.
   */
  protected abstract openLockedTransaction(
    conn: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
    hints: LockedStepHints,
  ): Promise<boolean>;

  /** For openLockedTransaction: the guard checked with a query of its own, inside the open transaction. */
  protected async checkGuard(conn: AnyKysely, guard: HistoryGuard | undefined): Promise<boolean> {
    if (!guard || (await guard.digestOf(conn)) === guard.expected) return true;
    await sql.raw('rollback').execute(conn);
    return false;
  }

  /**
   * Sends the writes, then COMMIT. The default sends them one by one; a driver
   * may batch them. With `ownTransaction` (a locked run), it first makes sure
   * the transaction is still the one openLockedTransaction opened — a step may
   * have run its own COMMIT — and throws TransactionEndedError if not, before
   * any tracking row is written.
   */
  protected async commitWith(
    conn: AnyKysely,
    writes: readonly TrackingWrite[],
    options: { ownTransaction: boolean },
  ): Promise<void> {
    if (options.ownTransaction && (await this.transactionEnded(conn))) throw new TransactionEndedError();
    for (const write of writes) await this.executeWrite(conn, write);
    await this.executeRaw(conn, 'commit');
  }

  /** How the skeleton sends a statement it wrote itself; a driver may send it past Kysely. */
  protected async executeRaw(conn: AnyKysely, text: string): Promise<void> {
    await sql.raw(text).execute(conn);
  }

  /** How the skeleton sends a tracking write; a driver may send it past Kysely. */
  protected async executeWrite(conn: AnyKysely, write: TrackingWrite): Promise<void> {
    await conn.executeQuery(write.compile());
  }

  /**
   * After a step (`error`: how it failed, if it did): true when the
   * transaction the run opened is gone because the step ended it itself, not
   * because the database rolled it back. Default: never (a driver that can
   * tell overrides it).
   */
  protected async transactionEnded(_conn: AnyKysely, _error?: unknown): Promise<boolean> {
    return false;
  }

  /** Holds a lock around the whole run that is not part of the transaction (SQLite's lock file). */
  protected withMigrationLock<T>(_options: LockOptions, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async abandonTransaction(conn: AnyKysely): Promise<void> {
    await this.rollbackQuietly(conn);
  }

  protected async rollbackQuietly(conn: AnyKysely): Promise<void> {
    await sql
      .raw('rollback')
      .execute(conn)
      .catch(() => undefined);
  }

  abstract withSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T>;
  /** Default: withSessionLock, waiting as it does, without giving up early. */
  async withRunLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    _stillNeeded: (conn: AnyKysely) => Promise<boolean>,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    return { ran: true, value: await this.withSessionLock(db, table, options, fn) };
  }

  abstract isLockHeld(db: AnyKysely, table: TrackingTable): Promise<boolean>;
  abstract classifyTrackingReadError(error: unknown): 'absent' | 'malformed' | undefined;
  abstract readTrackingShape(db: AnyKysely, table: TrackingTable): Promise<TrackingShapeReading>;
  abstract executeScript(conn: AnyKysely, script: string, options: { inTransaction: boolean }): Promise<void>;
  abstract findNonTransactionalStatement(script: string): string | undefined;
  abstract scriptTransactions(script: string): ScriptTransactions;
  abstract snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot>;

  describeError(error: unknown): DatabaseErrorInfo {
    if (!(error instanceof Error)) return { message: String(error) };
    const code = (error as { code?: unknown }).code;
    return { message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }

  isLockTimeout(_error: unknown): boolean {
    return false;
  }
}
