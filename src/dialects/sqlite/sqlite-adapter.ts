import type Database from 'better-sqlite3';
import { type CompiledQuery, sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type {
  DatabaseErrorInfo,
  DialectAdapter,
  LockOptions,
  StepGuard,
  StepOutcome,
} from '../../engine/dialect-adapter.ts';
import { LockTimeoutError, TrackingTableError, TransactionEndedError } from '../../engine/errors.ts';
import type { SchemaSnapshot, SnapshotOptions } from '../../engine/schema-snapshot.ts';
import { lineAndColumn, ScriptError } from '../../engine/script-error.ts';
import type { SplitStatement } from '../../engine/statement-splitter.ts';
import type { MigrationState, TrackingRow, TrackingTable } from '../../engine/types.ts';
import { quoteIdent, type RawTrackingRow, TRACKING_COLUMNS, toTrackingRow } from '../tracking-row.ts';
import { findTransactionControl } from '../transaction-control.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import type { SqliteMigrationLock } from './sqlite-migration-lock.ts';
import { snapshotSqliteSchema } from './sqlite-schema-snapshot.ts';
import { splitSqliteStatements } from './sqlite-statement-splitter.ts';
import { sqliteTrackingDdl } from './sqlite-tracking-ddl.ts';

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
 * The migration lock is SQLite's own write lock (BEGIN IMMEDIATE), waited
 * for through busy_timeout.
 */
export class SqliteAdapter implements DialectAdapter {
  readonly dialect = 'sqlite';
  readonly capabilities = { transactionalDdl: true, sessionLock: true } as const;
  /** Cross-process lock; absent for a Kysely instance we did not open (its file is unknown). */
  readonly #lock: SqliteMigrationLock | undefined;

  /** The driver's handle, when we opened it: tells whether a step ended our transaction. */
  readonly #database: Pick<Database.Database, 'inTransaction'> | undefined;

  constructor(
    options: { lock?: SqliteMigrationLock; database?: Pick<Database.Database, 'inTransaction'> } = {},
  ) {
    this.#lock = options.lock;
    this.#database = options.database;
  }

  /** Runs `fn` holding the migration lock when there is one. */
  #locked<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
    return this.#lock ? this.#lock.with(options.lockTimeoutMs, fn) : fn();
  }

  /** Releases the lock file's connection. */
  close(): void {
    this.#lock?.close();
  }

  async readTrackingRows(db: AnyKysely, table: TrackingTable): Promise<TrackingRow[] | null> {
    try {
      const { rows } = await sql
        .raw<RawTrackingRow>(`select ${TRACKING_COLUMNS} from ${this.qualifiedTable(table)} order by version`)
        .execute(db);
      return rows.map(toTrackingRow);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/no such table/i.test(message)) return null;
      if (/no such column/i.test(message)) {
        throw new TrackingTableError(table.name, `exists but is not in kmigrate's format (${message})`);
      }
      throw error;
    }
  }

  async ensureTrackingTables(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<void> {
    await this.inLockedTransaction(
      db,
      table,
      { lockTimeoutMs, statementLockTimeoutMs: 0, statementTimeoutMs: 0 },
      async (trx) => {
        for (const ddl of sqliteTrackingDdl(table.name)) await sql.raw(ddl).execute(trx);
      },
    );
  }

  async inLockedTransaction<T>(
    db: AnyKysely,
    _table: TrackingTable,
    options: LockOptions,
    fn: (trx: AnyKysely) => Promise<T>,
  ): Promise<T> {
    return this.#locked(options, () =>
      db.connection().execute(async (conn) => {
        await this.#begin(conn, options);
        return this.#finishTransaction(conn, () => fn(conn), []);
      }),
    );
  }

  async runLockedStep<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: StepGuard,
    fn: (trx: AnyKysely, finish: (query: CompiledQuery) => void) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    return this.#locked(options, () =>
      db.connection().execute(async (conn): Promise<StepOutcome<T>> => {
        await this.#begin(conn, options);
        // Under the write lock: another process may have done this step meanwhile.
        const { rows } = await sql<{ state: MigrationState }>`select state from ${sql.raw(
          this.qualifiedTable(table),
        )} where version = ${guard.version}`.execute(conn);
        const state = rows[0]?.state;
        if (guard.expect === 'absent' ? state !== undefined : state !== 'applied') {
          await sql.raw('rollback').execute(conn);
          return { ran: false, state };
        }
        const finish: CompiledQuery[] = [];
        const value = await this.#finishTransaction(conn, () => fn(conn, (q) => finish.push(q)), finish);
        return { ran: true, value };
      }),
    );
  }

  /** BEGIN IMMEDIATE takes SQLite's write lock up front, waiting at most lockTimeoutMs (busy_timeout). */
  async #begin(conn: AnyKysely, options: LockOptions): Promise<void> {
    await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.floor(options.lockTimeoutMs))}`).execute(conn);
    try {
      await sql.raw('begin immediate').execute(conn);
    } catch (error) {
      if (this.isLockTimeout(error))
        throw new LockTimeoutError(options.lockTimeoutMs, 'the SQLite write lock');
      throw error;
    }
  }

  async #finishTransaction<T>(conn: AnyKysely, body: () => Promise<T>, finish: CompiledQuery[]): Promise<T> {
    let result: T;
    try {
      result = await body();
    } catch (error) {
      // SQLite itself rolls back on some errors (full disk, I/O, busy, interrupt); any other way
      // out of the transaction was the step's own COMMIT/ROLLBACK.
      const ended = this.#database?.inTransaction === false && !AUTO_ROLLBACK.test(sqliteCode(error));
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw ended ? new TransactionEndedError({ cause: error }) : error;
    }
    if (this.#database?.inTransaction === false) throw new TransactionEndedError();
    try {
      for (const query of finish) await conn.executeQuery(query);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (error) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw error;
    }
  }

  async withSessionLock<T>(
    db: AnyKysely,
    _table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T> {
    // The lock file's write lock outlives the step's own transactions; the running/applied
    // rows written by the engine still make a crash visible as a dirty state.
    return this.#locked(options, () =>
      db.connection().execute(async (conn) => {
        await sql
          .raw(`pragma busy_timeout = ${Math.max(0, Math.floor(options.lockTimeoutMs))}`)
          .execute(conn);
        return fn(conn);
      }),
    );
  }

  async executeScript(conn: AnyKysely, script: string, options: { inTransaction: boolean }): Promise<void> {
    // SQLite's prepare() takes one statement at a time; the splitter is a port
    // of sqlite3_complete(), the same rule the sqlite3 shell uses.
    // Blanking BEGIN/COMMIT keeps every offset, so lines below refer to the original text.
    const unwrapped = options.inTransaction ? unwrapTransaction(script, splitSqliteStatements) : script;
    for (const statement of splitSqliteStatements(unwrapped)) {
      try {
        await sql.raw(statement.sql).execute(conn);
      } catch (error) {
        throw new ScriptError(
          this.describeError(error),
          { ...lineAndColumn(script, statement.offset), statement: statement.sql },
          { cause: error },
        );
      }
    }
  }

  qualifiedTable(table: TrackingTable, suffix = ''): string {
    return quoteIdent(`${table.name}${suffix}`);
  }

  findNonTransactionalStatement(script: string): string | undefined {
    // VACUUM is the one statement SQLite refuses inside a transaction.
    return splitSqliteStatements(script).find((s) => /^vacuum\b/i.test(s.sql))?.sql;
  }

  findTransactionControl(script: string): SplitStatement | undefined {
    return findTransactionControl(script, splitSqliteStatements);
  }

  describeError(error: unknown): DatabaseErrorInfo {
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code;
      return { message: error.message, ...(typeof code === 'string' ? { code } : {}) };
    }
    return { message: String(error) };
  }

  isLockTimeout(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
  }

  snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot> {
    return snapshotSqliteSchema(db, options);
  }
}
