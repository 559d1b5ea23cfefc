import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type {
  DatabaseErrorInfo,
  HistoryGuard,
  LockedStepHints,
  LockOptions,
  StepOutcome,
} from '../../engine/dialect-adapter.ts';
import { LockTimeoutError, MigrateError } from '../../engine/errors.ts';
import type { SchemaSnapshot, SnapshotOptions } from '../../engine/schema-snapshot.ts';
import { lineAndColumn, ScriptError } from '../../engine/script-error.ts';
import type { ScriptTransactions } from '../../engine/script-transactions.ts';
import type { TrackingShapeReading } from '../../engine/tracking-shape.ts';
import type { TrackingWrite } from '../../engine/tracking-store.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { DriverBase, type EnvironmentFailureContext } from '../driver-base.ts';
import { statementsLogged } from '../statement-log.ts';
import { scriptTransactions } from '../transaction-control.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import { foreignKeysOffStatement, turnsForeignKeysOff } from './foreign-keys-off.ts';
import { environmentProblem, SqliteFileError } from './sqlite-file-problems.ts';
import { sqliteHistoryImport } from './sqlite-history-import.ts';
import type { SqliteMigrationLock } from './sqlite-migration-lock.ts';
import { snapshotSqliteSchema } from './sqlite-schema-snapshot.ts';
import { SqliteSessionDefaults, syncWal } from './sqlite-session.ts';
import { splitSqliteStatements } from './sqlite-statement-splitter.ts';
import { sqliteRepeatablesDdl, sqliteTrackingDdl } from './sqlite-tracking-ddl.ts';
import { readSqliteTrackingShape } from './sqlite-tracking-shape.ts';

/** Result codes after which SQLite has already rolled the transaction back by itself. */
const AUTO_ROLLBACK = /^SQLITE_(FULL|IOERR|BUSY|NOMEM|INTERRUPT)/;

function sqliteCode(error: unknown): string {
  let e: unknown = error;
  // The engine wraps driver errors (MigrationFailedError → cause).
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

/**
 * SQLite: DDL is transactional, so every migration is all-or-nothing.
 * The migration lock is the sidecar lock file (SqliteMigrationLock), then
 * SQLite's own write lock (BEGIN IMMEDIATE), waited for through busy_timeout.
 */
export class SqliteAdapter extends DriverBase<'sqlite'> {
  readonly dialect = 'sqlite';
  readonly displayName = 'SQLite';
  readonly confirmDestructive = false;
  readonly historyImport = sqliteHistoryImport;
  /** Cross-process lock; absent for a Kysely instance we did not open (its file is unknown). */
  readonly #lock: SqliteMigrationLock | undefined;
  /**
   * The driver's handle, when we opened it: tells whether a step ended our
   * transaction, runs the per-step pragmas in one native call, and names the
   * file whose WAL a run makes durable.
   */
  readonly #database: SqliteHandle | undefined;
  readonly #session = new SqliteSessionDefaults();

  constructor(options: { lock?: SqliteMigrationLock; database?: SqliteHandle } = {}) {
    super();
    this.#lock = options.lock;
    this.#database = options.database;
  }

  /** Releases the lock file's connection. */
  close(): void {
    this.#lock?.close();
  }

  classifyTrackingReadError(error: unknown): 'absent' | 'malformed' | undefined {
    const message = error instanceof Error ? error.message : String(error);
    if (/no such table/i.test(message)) return 'absent';
    if (/no such column/i.test(message)) return 'malformed';
    return undefined;
  }

  repeatablesDdl(table: TrackingTable): string[] {
    return sqliteRepeatablesDdl(table.name);
  }

  readTrackingShape(db: AnyKysely, table: TrackingTable): Promise<TrackingShapeReading> {
    return readSqliteTrackingShape(db, table);
  }

  trackingDdl(table: TrackingTable): string[] {
    return sqliteTrackingDdl(table.name);
  }

  protected override withMigrationLock<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
    return this.#lock ? this.#lock.with(options.lockTimeoutMs, fn) : fn();
  }

  /**
   * Session reset, then BEGIN IMMEDIATE (SQLite's write lock, waited for at most lockTimeoutMs), then
   * the guard. The reset is skipped when nothing since the last one can have moved a session pragma:
   * a script step under the run's lock (hints.heldScript) after steps whose scripts set no PRAGMA.
   */
  protected async openLockedTransaction(
    conn: AnyKysely,
    _table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
    hints: LockedStepHints,
  ): Promise<boolean> {
    const busyTimeout = Math.max(0, Math.floor(options.lockTimeoutMs));
    if (!hints.heldScript || this.#sessionMoved || busyTimeout !== this.#busyTimeout) {
      await this.#resetSession(conn, `pragma busy_timeout = ${busyTimeout}`);
      this.#busyTimeout = busyTimeout;
    }
    // Any other body (a TypeScript step, the tracking DDL) may set a pragma: reset after it.
    if (!hints.heldScript) this.#sessionMoved = true;
    // A table rebuild that turns foreign keys off means it before the transaction, where alone the
    // PRAGMA works (executeScript checks the keys before COMMIT; the reset after the step turns them on).
    if (hints.script !== undefined && turnsForeignKeysOff(hints.script)) {
      this.#sessionMoved = true;
      await this.executeRaw(conn, 'pragma foreign_keys = off');
    }
    try {
      await this.executeRaw(conn, 'begin immediate');
    } catch (error) {
      if (this.isLockTimeout(error))
        throw new LockTimeoutError(options.lockTimeoutMs, 'the SQLite write lock');
      throw error;
    }
    return this.checkGuard(conn, guard);
  }

  protected override async commitWith(
    conn: AnyKysely,
    writes: readonly TrackingWrite[],
    options: { ownTransaction: boolean },
  ): Promise<void> {
    await super.commitWith(conn, writes, options);
    if (this.#sessionMoved) await this.#resetSession(conn);
  }

  /**
   * Statements go to the native handle (it is this connection, one per Kysely
   * instance): Kysely's query pipeline cost more than SQLite's own work for
   * small DDL. Not while --verbose logs every statement (Kysely's log).
   */
  protected override async executeRaw(conn: AnyKysely, text: string): Promise<void> {
    const handle = this.#native();
    if (handle) handle.exec(text);
    else await super.executeRaw(conn, text);
  }

  /** The tracking writes are the same two statements every step: prepared once per run. */
  protected override async executeWrite(conn: AnyKysely, write: TrackingWrite): Promise<void> {
    const handle = this.#native();
    if (!handle) return super.executeWrite(conn, write);
    const { sql: text, parameters } = write.compile();
    this.#prepared(handle, text).run(...(parameters as unknown[]));
  }

  /** The handle for statements sent past Kysely; none while --verbose logs every statement (Kysely's log). */
  #native(): SqliteHandle | undefined {
    return statementsLogged() ? undefined : this.#database;
  }

  /** Prepared statements by SQL text (a handful per run: the tracking writes). */
  readonly #statements = new Map<string, Database.Statement>();

  #prepared(handle: SqliteHandle, text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      if (this.#statements.size > 64) this.#statements.clear();
      statement = handle.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /**
   * SQLite itself rolls back on some errors (full disk, I/O, busy, interrupt);
   * any other way out of the transaction was the step's own COMMIT/ROLLBACK.
   */
  protected override async transactionEnded(_conn: AnyKysely, error?: unknown): Promise<boolean> {
    if (this.#database?.inTransaction !== false) return false;
    return error === undefined || !AUTO_ROLLBACK.test(sqliteCode(error));
  }

  /**
   * False right after a session reset, until something may have set a session pragma since (a
   * script with PRAGMA in it, a step that is not only a script): one run of N = N runs of 1
   * without resetting twice per step (≈ 16 pragma statements) when nothing can have moved.
   */
  #sessionMoved = true;
  /** The busy_timeout the last reset set (it is a pragma of the connection too). */
  #busyTimeout: number | undefined;

  /** Session pragmas back to the connection's defaults, and `extra` ones set (sqlite-session.ts). */
  async #resetSession(conn: AnyKysely, ...extra: string[]): Promise<void> {
    // Moved until the reset is done: a reset that fails part-way is done again next time.
    this.#sessionMoved = true;
    this.#busyTimeout = undefined;
    await this.#session.reset(conn, this.#database, extra);
    this.#sessionMoved = false;
  }

  async withSessionLock<T>(
    db: AnyKysely,
    _table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T> {
    // The lock file's write lock outlives the step's own transactions; the running/applied
    // rows written by the engine still make a crash visible as a dirty state.
    return this.withMigrationLock(options, () => this.#pinned(db, options, fn));
  }

  /**
   * A run holds the lock file for all its steps (waiters give up as soon as
   * `stillNeeded` says the work is done) and commits its steps with
   * synchronous = NORMAL: in WAL mode a commit is then a write to the WAL
   * without fsync — atomic, and safe against the process dying, but not yet
   * against the machine losing power. When the run ends (done or failed) the
   * WAL is fsynced once, which makes every commit of the run durable, as
   * synchronous = FULL would have after each one. See docs/reliability.md.
   */
  override async withRunLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    stillNeeded: (conn: AnyKysely) => Promise<boolean>,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    const handle = this.#database;
    if (!this.#lock || !handle || handle.memory)
      return super.withRunLock(db, table, options, stillNeeded, fn);
    return this.#lock.withUnlessDone(
      options.lockTimeoutMs,
      () => stillNeeded(db),
      () =>
        this.#pinned(db, options, async (conn) => {
          const before = handle.pragma('synchronous', { simple: true });
          handle.pragma('synchronous = normal');
          let value: T;
          try {
            value = await fn(conn);
          } catch (error) {
            // The steps committed before the failure are made durable too; the failure is what is reported.
            handle.pragma(`synchronous = ${Number(before)}`);
            try {
              syncWal(handle.name);
            } catch {}
            throw error;
          }
          handle.pragma(`synchronous = ${Number(before)}`);
          syncWal(handle.name);
          return value;
        }),
    );
  }

  async #pinned<T>(db: AnyKysely, options: LockOptions, fn: (conn: AnyKysely) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await this.#resetSession(
        conn,
        `pragma busy_timeout = ${Math.max(0, Math.floor(options.lockTimeoutMs))}`,
      );
      try {
        return await fn(conn);
      } finally {
        await this.#resetSession(conn).catch(() => undefined);
      }
    });
  }

  async isLockHeld(): Promise<boolean> {
    if (!this.#lock || !(await this.#lock.ready())) return false;
    return this.#lock.isHeldElsewhere();
  }

  async executeScript(conn: AnyKysely, script: string, options: { inTransaction: boolean }): Promise<void> {
    // SQLite's prepare() takes one statement at a time; the splitter is a port
    // of sqlite3_complete(), the same rule the sqlite3 shell uses.
    // Blanking BEGIN/COMMIT keeps every offset, so lines below refer to the original text.
    const unwrapped = options.inTransaction ? unwrapTransaction(script, splitSqliteStatements) : script;
    // A word anywhere (a comment, a string) is enough: resetting once too often costs nothing.
    if (/pragma/i.test(script)) this.#sessionMoved = true;
    for (const statement of splitSqliteStatements(unwrapped)) {
      try {
        await this.executeRaw(conn, statement.sql);
      } catch (error) {
        throw new ScriptError(
          this.describeError(error),
          { ...lineAndColumn(script, statement.offset), statement: statement.sql },
          { cause: error },
        );
      }
    }
    if (options.inTransaction && turnsForeignKeysOff(script)) await this.#checkForeignKeys(conn, script);
  }

  /**
   * After a script that ran with foreign keys off (openLockedTransaction): the rows it left must
   * still satisfy them, or the step fails and rolls back (SQLite's table-rebuild procedure, step 10).
   */
  async #checkForeignKeys(conn: AnyKysely, script: string): Promise<void> {
    const { rows } = await sql
      .raw<{ table: string; rowid: number | null; parent: string }>('pragma foreign_key_check')
      .execute(conn);
    if (rows.length === 0) return;
    const first = rows[0]!;
    const message = `foreign keys are off for this script, and it leaves ${rows.length} row${rows.length === 1 ? '' : 's'} that break${rows.length === 1 ? 's' : ''} them (first: table ${first.table}, rowid ${first.rowid ?? '?'}, parent ${first.parent})`;
    // Placed at the script's PRAGMA foreign_keys = off: the promise that did not hold.
    const off = foreignKeysOffStatement(script);
    throw new ScriptError(
      { message },
      off ? { ...lineAndColumn(script, off.offset), statement: off.sql } : {},
      { cause: new Error(message) },
    );
  }

  findNonTransactionalStatement(script: string): string | undefined {
    // VACUUM is the one statement SQLite refuses inside a transaction (a script without the word is not lexed).
    if (!/\bvacuum\b/i.test(script)) return undefined;
    return splitSqliteStatements(script).find((s) => /^vacuum\b/i.test(s.sql))?.sql;
  }

  scriptTransactions(script: string): ScriptTransactions {
    return scriptTransactions(script, splitSqliteStatements, (sql) => /^vacuum\b/i.test(sql));
  }

  /**
   * A full disk or a read-only file met at a COMMIT, a tracking write or the
   * tracking tables' creation (not inside a step, which describeError names with
   * its file and line): one line naming the database file, what was rolled back,
   * and the next step about the file.
   */
  protected override environmentFailure(error: unknown, during: EnvironmentFailureContext): unknown {
    const file = this.#database && !this.#database.memory ? this.#database.name : undefined;
    if (!file || error instanceof MigrateError) return error;
    const problem = environmentProblem(file, sqliteCode(error), error);
    if (!problem) return error;
    const undone =
      during === 'committing'
        ? 'while committing a migration with its tracking rows; that transaction was rolled back, nothing of it stayed'
        : `while ${during}; that transaction was rolled back, nothing of it stayed`;
    return new SqliteFileError(file, `${problem.problem} (${undone})`, problem.nextStep, problem.exitCode, {
      cause: error,
    });
  }

  /** Disk full, read-only file: named with the database file, and the next step is about the file. */
  override describeError(error: unknown): DatabaseErrorInfo {
    const info = super.describeError(error);
    const file = this.#database && !this.#database.memory ? this.#database.name : undefined;
    const problem = file ? environmentProblem(file, info.code, error) : undefined;
    return problem
      ? { ...info, message: `${info.message} (${problem.problem})`, nextStep: problem.nextStep }
      : info;
  }

  override isLockTimeout(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
  }

  snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot> {
    return snapshotSqliteSchema(db, options);
  }
}

/** What the adapter uses of better-sqlite3's handle. */
export type SqliteHandle = Pick<
  Database.Database,
  'inTransaction' | 'exec' | 'pragma' | 'name' | 'memory' | 'prepare'
>;
