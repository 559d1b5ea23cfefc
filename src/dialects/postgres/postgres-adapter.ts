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
import { advisoryLockKey } from '../lock-key.ts';
import { quoteIdent, type RawTrackingRow, TRACKING_COLUMNS, toTrackingRow } from '../tracking-row.ts';
import { findTransactionControl } from '../transaction-control.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import { snapshotPostgresSchema } from './postgres-schema-snapshot.ts';
import { splitPostgresStatements } from './postgres-statement-splitter.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

/** SQLSTATEs we act on. */
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
const INVALID_SCHEMA = '3F000';
const LOCK_NOT_AVAILABLE = '55P03';
/** Ours: a step's tracking row is not in the state the step needs (class KM is unused by PostgreSQL). */
const GUARD_MISMATCH = 'KM001';
const ACTIVE_SQL_TRANSACTION = '25001';
/** Ours: at COMMIT time the transaction is not the one the engine opened. */
const TRANSACTION_ENDED = 'KM002';
const TXID_SETTING = 'kmigrate.txid';
/** Raises KM002 unless the current transaction is the one #open started. */
const STILL_OURS = `do $$ begin if current_setting('${TXID_SETTING}', true) is distinct from txid_current()::text then raise exception 'the transaction was ended inside the migration' using errcode = '${TRANSACTION_ENDED}'; end if; end $$`;
const QUERY_CANCELED = '57014';

/** Statements PostgreSQL refuses inside a transaction block. */
const NON_TRANSACTIONAL =
  /^(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b[^;]*\bconcurrently|vacuum\b|(create|drop)\s+database\b|alter\s+system\b|(create|drop)\s+tablespace\b)/i;

export interface PostgresAdapterOptions {
  /** Set when the URL points at a transaction-mode pooler (Supabase 6543, PgBouncer). */
  transactionPoolerReason?: string;
}

/**
 * PostgreSQL. Transactional migrations take a transaction-scoped advisory lock
 * (pg_advisory_xact_lock) keyed on (schema, table): nothing outlives the
 * transaction, so it is correct behind transaction-mode poolers. The bounded
 * wait is lock_timeout, which applies to advisory locks too.
 */
export class PostgresAdapter implements DialectAdapter {
  readonly dialect = 'postgres';
  readonly capabilities: DialectAdapter['capabilities'];
  readonly sessionLockUnavailableReason?: string;

  constructor(options: PostgresAdapterOptions = {}) {
    this.capabilities = { transactionalDdl: true, sessionLock: !options.transactionPoolerReason };
    if (options.transactionPoolerReason) this.sessionLockUnavailableReason = options.transactionPoolerReason;
  }

  async readTrackingRows(db: AnyKysely, table: TrackingTable): Promise<TrackingRow[] | null> {
    try {
      const { rows } = await sql
        .raw<RawTrackingRow>(`select ${TRACKING_COLUMNS} from ${this.qualifiedTable(table)} order by version`)
        .execute(db);
      return rows.map(toTrackingRow);
    } catch (error) {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return null;
      if (code === UNDEFINED_COLUMN) {
        throw new TrackingTableError(
          `${table.schema}.${table.name}`,
          `exists but is not in kmigrate's format (${(error as Error).message})`,
        );
      }
      throw error;
    }
  }

  async ensureTrackingTables(db: AnyKysely, table: TrackingTable, lockTimeoutMs: number): Promise<void> {
    // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide on pg_type.
    await this.inLockedTransaction(
      db,
      table,
      { lockTimeoutMs, statementLockTimeoutMs: 0, statementTimeoutMs: 0 },
      async (trx) => {
        await sql.raw(postgresTrackingDdl(table.schema, table.name).join(';\n')).execute(trx);
      },
    );
  }

  async inLockedTransaction<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (trx: AnyKysely) => Promise<T>,
  ): Promise<T> {
    return db.connection().execute(async (conn) => {
      await this.#open(conn, table, options);
      return this.#finishTransaction(conn, () => fn(conn), []);
    });
  }

  async runLockedStep<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: StepGuard,
    fn: (trx: AnyKysely, finish: (query: CompiledQuery) => void) => Promise<T>,
  ): Promise<StepOutcome<T>> {
    return db.connection().execute(async (conn) => {
      const mismatch = await this.#open(conn, table, options, guard);
      if (mismatch) return { ran: false, state: mismatch.state };
      const finish: CompiledQuery[] = [];
      const value = await this.#finishTransaction(conn, () => fn(conn, (q) => finish.push(q)), finish);
      return { ran: true, value };
    });
  }

  /**
   * Opens a transaction holding the migration lock, in one round trip per try:
   * begin, the migration's own limits, then a DO block that tries the lock
   * (55P03 when it is held) and, for a step, checks its tracking row (KM001
   * with the row's state when it is not as expected).
   */
  async #open(
    conn: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard?: StepGuard,
  ): Promise<{ state: MigrationState | undefined } | undefined> {
    const key = advisoryLockKey(table.schema, table.name);
    const opening = [
      'begin',
      `set local lock_timeout = ${ms(options.statementLockTimeoutMs)}`,
      `set local statement_timeout = ${ms(options.statementTimeoutMs)}`,
      `set local idle_in_transaction_session_timeout = ${ms(options.idleInTransactionTimeoutMs ?? 0)}`,
      openingBlock(key, guard ? { ...guard, table: this.qualifiedTable(table) } : undefined),
    ].join('; ');
    let mismatch: { state: MigrationState | undefined } | undefined;
    await pollForLock(
      async () => {
        try {
          await sql.raw(opening).execute(conn);
          return true;
        } catch (error) {
          await sql
            .raw('rollback')
            .execute(conn)
            .catch(() => undefined);
          if (sqlState(error) === LOCK_NOT_AVAILABLE) return false;
          if (sqlState(error) === GUARD_MISMATCH) {
            const state = (error as Error).message;
            mismatch = { state: state === 'absent' ? undefined : (state as MigrationState) };
            return true;
          }
          throw error;
        }
      },
      options.lockTimeoutMs,
      () => new LockTimeoutError(options.lockTimeoutMs, lockName(table, key)),
    );
    return mismatch;
  }

  /** Runs `body`; then the queued queries and COMMIT as one round trip; ROLLBACK on any error. */
  async #finishTransaction<T>(conn: AnyKysely, body: () => Promise<T>, finish: CompiledQuery[]): Promise<T> {
    let result: T;
    try {
      result = await body();
    } catch (error) {
      const ended = !(await this.#stillOurs(conn));
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw ended ? new TransactionEndedError({ cause: error }) : error;
    }
    try {
      const statements = finish.length ? await inlineAll(finish) : [];
      // The check rides with the tracking writes and COMMIT: if the step ended our transaction,
      // this batch runs on its own and the check aborts it before the rows are written.
      await sql.raw([STILL_OURS, ...statements, 'commit'].join(';\n')).execute(conn);
      return result;
    } catch (error) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw sqlState(error) === TRANSACTION_ENDED ? new TransactionEndedError() : error;
    }
  }

  /** After a failed step: is the connection still in the transaction #open started? */
  async #stillOurs(conn: AnyKysely): Promise<boolean> {
    try {
      await sql.raw(STILL_OURS).execute(conn);
      return true;
    } catch (error) {
      // An aborted transaction block refuses every query: it is still a transaction, and rolls back.
      return sqlState(error) !== TRANSACTION_ENDED;
    }
  }

  async withSessionLock<T>(
    db: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    fn: (conn: AnyKysely) => Promise<T>,
  ): Promise<T> {
    const key = advisoryLockKey(table.schema, table.name);
    return db.connection().execute(async (conn) => {
      await pollForLock(
        async () => {
          const { rows } = await sql
            .raw<{ locked: boolean }>(`select pg_try_advisory_lock(${key}) as locked`)
            .execute(conn);
          return rows[0]?.locked === true;
        },
        options.lockTimeoutMs,
        () => new LockTimeoutError(options.lockTimeoutMs, lockName(table, key)),
      );
      try {
        await sql
          .raw(
            `set lock_timeout = ${ms(options.statementLockTimeoutMs)}; set statement_timeout = ${ms(options.statementTimeoutMs)}`,
          )
          .execute(conn);
        return await fn(conn);
      } finally {
        // The lock must never outlive the run, even when fn throws.
        await sql
          .raw(`reset lock_timeout; reset statement_timeout; select pg_advisory_unlock(${key})`)
          .execute(conn)
          .catch(() => undefined);
      }
    });
  }

  async executeScript(conn: AnyKysely, script: string, options: { inTransaction: boolean }): Promise<void> {
    if (options.inTransaction) {
      script = unwrapTransaction(script, splitPostgresStatements);
      // The whole file in one simple-protocol query: PostgreSQL parses it.
      try {
        await sql.raw(script).execute(conn);
      } catch (error) {
        throw this.scriptError(error, script, 0, script);
      }
      return;
    }
    // Outside a transaction a multi-statement query would still be an implicit
    // transaction block, which CREATE INDEX CONCURRENTLY refuses: send one by one.
    for (const statement of splitPostgresStatements(script)) {
      try {
        await sql.raw(statement.sql).execute(conn);
      } catch (error) {
        throw this.scriptError(error, statement.sql, statement.offset, script);
      }
    }
  }

  /** Maps an error position inside `sent` (which starts at `offset` in `script`) to line and statement. */
  private scriptError(error: unknown, sent: string, offset: number, script: string): ScriptError {
    const info = this.describeError(error);
    const at = info.position !== undefined ? offset + info.position - 1 : undefined;
    let statement: string | undefined;
    let location: { line: number; column: number } | undefined;
    if (at !== undefined) {
      location = lineAndColumn(script, at);
      const hit = splitPostgresStatements(script).find(
        (s) => at >= s.offset && at <= s.offset + s.sql.length,
      );
      statement = hit?.sql;
    } else if (sent !== script) {
      location = lineAndColumn(script, offset);
      statement = sent;
    }
    return new ScriptError(info, { ...location, ...(statement ? { statement } : {}) }, { cause: error });
  }

  qualifiedTable(table: TrackingTable, suffix = ''): string {
    return `${quoteIdent(table.schema)}.${quoteIdent(`${table.name}${suffix}`)}`;
  }

  findNonTransactionalStatement(script: string): string | undefined {
    return splitPostgresStatements(script).find((s) => NON_TRANSACTIONAL.test(s.sql))?.sql;
  }

  findTransactionControl(script: string): SplitStatement | undefined {
    return findTransactionControl(script, splitPostgresStatements);
  }

  describeError(error: unknown): DatabaseErrorInfo {
    if (!(error instanceof Error)) return { message: String(error) };
    const e = error as Error & { code?: string; position?: string; detail?: string; hint?: string };
    const info: DatabaseErrorInfo = { message: e.message };
    if (typeof e.code === 'string') info.code = e.code;
    if (e.position !== undefined) info.position = Number(e.position);
    if (e.detail) info.detail = e.detail;
    if (e.hint) info.hint = e.hint;
    if (e.code === LOCK_NOT_AVAILABLE) {
      info.hint =
        'another session holds a lock this statement needs (lock_timeout, config statementLockTimeoutMs); run again when it is done, or find it in pg_locks';
    }
    if (e.code === QUERY_CANCELED && /statement timeout/i.test(e.message)) {
      info.hint =
        'it ran longer than statement_timeout (config statementTimeoutMs); raise it for this migration';
    }
    if (e.code === ACTIVE_SQL_TRANSACTION) {
      info.hint =
        'this statement cannot run in a transaction: add `export const transaction = false` (TS) or a first line `-- migrate:no-transaction` (SQL)';
    }
    return info;
  }

  isLockTimeout(error: unknown): boolean {
    return sqlState(error) === LOCK_NOT_AVAILABLE;
  }

  snapshotSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot> {
    return snapshotPostgresSchema(db, options);
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Migrators wait for the advisory lock by trying it, never by blocking inside a
 * statement: a session blocked in pg_advisory_lock holds a snapshot, and the
 * lock holder's CREATE INDEX CONCURRENTLY waits for every older snapshot in the
 * database, so the two would deadlock (e.g. several app instances starting at
 * once). Between tries nothing is held. `attempt` resolves true once locked.
 */
async function pollForLock(
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    if (await attempt()) return;
    const left = deadline - performance.now();
    if (left <= 0) throw onTimeout();
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  }
}

/**
 * One statement that takes the lock or fails with lock_not_available, and for
 * a step checks its tracking row, failing with KM001 and the row's state
 * (`absent` when there is none) when it is not as expected.
 */
function openingBlock(key: string, guard?: StepGuard & { table: string }): string {
  // The transaction's id, kept in a transaction-local setting: at COMMIT time it tells whether the
  // transaction is still the one the engine opened (a step may have run its own COMMIT).
  const lock = `if not pg_try_advisory_xact_lock(${key}) then raise exception 'the migration lock is held by another migrator' using errcode = '${LOCK_NOT_AVAILABLE}'; end if; perform set_config('${TXID_SETTING}', txid_current()::text, true);`;
  if (!guard) return `do $$ begin ${lock} end $$`;
  const wrong = guard.expect === 'absent' ? 's is not null' : "s is distinct from 'applied'";
  return `do $$ declare s text; begin ${lock} select state into s from ${guard.table} where version = ${Math.trunc(guard.version)}; if ${wrong} then raise exception '%', coalesce(s, 'absent') using errcode = '${GUARD_MISMATCH}'; end if; end $$`;
}

/**
 * Turns a compiled query's $n placeholders into literals, so the tracking-row
 * writes can share the COMMIT's round trip (a multi-statement query cannot
 * carry parameters). Only the engine's own inserts come here.
 */
async function inlineAll(queries: CompiledQuery[]): Promise<string[]> {
  // pg is loaded lazily everywhere, so that a SQLite cold start never evaluates it.
  const { escapeLiteral } = (await import('pg')).default;
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return escapeLiteral(String(value));
  };
  return queries.map((q) =>
    q.sql.replace(/\$(\d+)/g, (_, n: string) => literal(q.parameters[Number(n) - 1])),
  );
}

function ms(value: number): string {
  return `'${Math.max(0, Math.floor(value))}ms'`;
}

function lockName(table: TrackingTable, key: string): string {
  return `pg_advisory_lock(${key}) for ${table.schema}.${table.name}`;
}
