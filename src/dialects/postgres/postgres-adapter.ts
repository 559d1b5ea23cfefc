import { createQueryId, PostgresQueryCompiler, sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type {
  DatabaseErrorInfo,
  DialectAdapter,
  HistoryGuard,
  LockOptions,
  StepOutcome,
} from '../../engine/dialect-adapter.ts';
import { LockTimeoutError, TransactionEndedError } from '../../engine/errors.ts';
import type { InvalidIndex } from '../../engine/invalid-index.ts';
import type { SchemaSnapshot, SnapshotOptions } from '../../engine/schema-snapshot.ts';
import { lineAndColumn, ScriptError } from '../../engine/script-error.ts';
import type { SplitStatement } from '../../engine/statement-splitter.ts';
import type { TrackingWrite } from '../../engine/tracking-store.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { DriverBase } from '../driver-base.ts';
import { advisoryLockKey } from '../lock-key.ts';
import { findTransactionControl } from '../transaction-control.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import { type ListenConnector, LockReleaseSignal, lockChannel, quoteChannel } from './lock-release-signal.ts';
import { postgresHistoryImport } from './postgres-history-import.ts';
import { postgresInvalidIndexes } from './postgres-invalid-indexes.ts';
import { snapshotPostgresSchema } from './postgres-schema-snapshot.ts';
import { splitPostgresStatements } from './postgres-statement-splitter.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

/** SQLSTATEs we act on. */
const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
const INVALID_SCHEMA = '3F000';
const LOCK_NOT_AVAILABLE = '55P03';
/** Ours: the tracking rows changed since the plan was made (class KM is unused by PostgreSQL). */
const GUARD_MISMATCH = 'KM001';
const ACTIVE_SQL_TRANSACTION = '25001';
/** Ours: at COMMIT time the transaction is not the one the engine opened. */
const TRANSACTION_ENDED = 'KM002';
const TXID_SETTING = 'kmigrate.txid';
/** Raises KM002 unless the current transaction is the one openLockedTransaction started. */
const STILL_OURS = `do $$ begin if current_setting('${TXID_SETTING}', true) is distinct from txid_current()::text then raise exception 'the transaction was ended inside the migration' using errcode = '${TRANSACTION_ENDED}'; end if; end $$`;
const QUERY_CANCELED = '57014';

/** Statements PostgreSQL refuses inside a transaction block. */
const NON_TRANSACTIONAL =
  /^(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b[^;]*\bconcurrently|vacuum\b|(create|drop)\s+database\b|alter\s+system\b|(create|drop)\s+tablespace\b)/i;

export interface PostgresAdapterOptions {
  /** Set when the URL points at a transaction-mode pooler (Supabase 6543, PgBouncer). */
  transactionPoolerReason?: string;
  /**
   * Opens a connection of its own for LISTEN, so that lock waiters wake when
   * the holder releases (LockReleaseSignal). Without it (a Kysely instance we
   * did not open) waiters poll; behind a transaction pooler it is ignored.
   */
  listen?: ListenConnector;
}

/**
 * Every step starts from the session's defaults (one run of N = N runs of 1):
 * a migration's `SET search_path`/`SET ROLE`/`SET TIME ZONE` must not move the
 * next one. DISCARD ALL would also drop advisory locks (and cannot run in a
 * transaction); RESET ALL leaves role and session authorization alone, hence both.
 * Inside a transaction these take effect at COMMIT, and vanish with a ROLLBACK
 * (which undoes the migration's own SETs as well).
 */
const RESET_SESSION = 'set session authorization default; reset all';

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
    };
    this.sessionLockUnavailableReason = options.transactionPoolerReason;
    // LISTEN needs a session of its own: never behind a transaction pooler.
    this.#listen = options.transactionPoolerReason ? undefined : options.listen;
  }

  readonly #listen: ListenConnector | undefined;

  /** What a waiter for `key` listens to, when it can. */
  #signal(key: string): LockReleaseSignal | undefined {
    return this.#listen ? new LockReleaseSignal(this.#listen, lockChannel(key)) : undefined;
  }

  classifyTrackingReadError(error: unknown): 'absent' | 'malformed' | undefined {
    const code = sqlState(error);
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return 'absent';
    if (code === UNDEFINED_COLUMN) return 'malformed';
    return undefined;
  }

  trackingDdl(table: TrackingTable): string[] {
    // One statement: created under the lock, since concurrent CREATE TABLE IF NOT EXISTS can collide on pg_type.
    return [postgresTrackingDdl(table.schema, table.name).join(';\n')];
  }

  /**
   * One round trip per try: begin, the session reset, the migration's own
   * limits, then a DO block that tries the lock (55P03 when it is held) and
   * checks the guard's digest (KM001 when the history changed).
   */
  protected async openLockedTransaction(
    conn: AnyKysely,
    table: TrackingTable,
    options: LockOptions,
    guard: HistoryGuard | undefined,
  ): Promise<boolean> {
    const key = advisoryLockKey(table.schema, table.name);
    const check = guard
      ? { query: await inlineLiterals(guard.digestQuery(conn)), expected: guard.expected }
      : undefined;
    const opening = [
      'begin',
      RESET_SESSION,
      `set local lock_timeout = ${ms(options.statementLockTimeoutMs)}`,
      `set local statement_timeout = ${ms(options.statementTimeoutMs)}`,
      `set local idle_in_transaction_session_timeout = ${ms(options.idleInTransactionTimeoutMs ?? 0)}`,
      openingBlock(key, check),
    ].join('; ');
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
      () => new LockTimeoutError(options.lockTimeoutMs, lockName(table, key)),
    );
    return holds;
  }

  /** The session reset, the writes (values inlined: a multi-statement query carries no parameters) and COMMIT: one round trip. */
  protected override async commitWith(
    conn: AnyKysely,
    writes: readonly TrackingWrite[],
    options: { ownTransaction: boolean },
  ): Promise<void> {
    const statements = await Promise.all(writes.map(inlineLiterals));
    // The check rides with the tracking writes and COMMIT: if the step ended our transaction,
    // this batch runs on its own and the check aborts it before the rows are written.
    const check = options.ownTransaction ? [STILL_OURS] : [];
    try {
      await sql.raw([...check, RESET_SESSION, ...statements, 'commit'].join(';\n')).execute(conn);
    } catch (error) {
      throw sqlState(error) === TRANSACTION_ENDED ? new TransactionEndedError() : error;
    }
  }

  /** After a failed step: is the connection still in the transaction openLockedTransaction started? */
  protected override async transactionEnded(conn: AnyKysely): Promise<boolean> {
    try {
      await sql.raw(STILL_OURS).execute(conn);
      return false;
    } catch (error) {
      // An aborted transaction block refuses every query: it is still a transaction, and rolls back.
      return sqlState(error) === TRANSACTION_ENDED;
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
    return db.connection().execute(async (conn): Promise<StepOutcome<T>> => {
      const locked = await pollForLock(
        async () => {
          const { rows } = await sql
            .raw<{ locked: boolean }>(`select pg_try_advisory_lock(${key}) as locked`)
            .execute(conn);
          return rows[0]?.locked === true;
        },
        options.lockTimeoutMs,
        () => new LockTimeoutError(options.lockTimeoutMs, lockName(table, key)),
        this.#signal(key),
        stillNeeded && (() => stillNeeded(conn)),
      );
      if (!locked) return { ran: false };
      try {
        await sql
          .raw(
            `${RESET_SESSION}; set lock_timeout = ${ms(options.statementLockTimeoutMs)}; set statement_timeout = ${ms(options.statementTimeoutMs)}`,
          )
          .execute(conn);
        return { ran: true, value: await fn(conn) };
      } finally {
        // The lock must never outlive the run, even when fn throws; the connection goes back clean.
        // NOTIFY wakes the waiters; it is delivered when this implicit transaction ends, after the unlock.
        await sql
          .raw(
            `${RESET_SESSION}; select pg_advisory_unlock(${key}); notify ${quoteChannel(lockChannel(key))}`,
          )
          .execute(conn)
          .catch(() => undefined);
      }
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

  findNonTransactionalStatement(script: string): string | undefined {
    return splitPostgresStatements(script).find((s) => NON_TRANSACTIONAL.test(s.sql))?.sql;
  }

  findTransactionControl(script: string): SplitStatement | undefined {
    return findTransactionControl(script, splitPostgresStatements);
  }

  override describeError(error: unknown): DatabaseErrorInfo {
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
 *
 * With a release signal a waiter sleeps until the holder's NOTIFY (on an idle
 * connection of its own: no snapshot either) or the backoff, whichever comes
 * first. With `stillNeeded`, after every wake-up it first asks whether the wait
 * is still worth it, and returns false when not (the holder did the work).
 */
async function pollForLock(
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout: () => Error,
  signal?: LockReleaseSignal,
  stillNeeded?: () => Promise<boolean>,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let listening = false;
  try {
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      if (await attempt()) return true;
      // Listen only once the lock turned out to be busy, then try again at once:
      // a release between the failed try and LISTEN would otherwise go unheard.
      if (signal && !listening) {
        listening = await signal.listen();
        if (listening) {
          delay = 10;
          continue;
        }
      }
      const left = deadline - performance.now();
      if (left <= 0) throw onTimeout();
      if (listening) await signal!.next(Math.min(delay, left));
      else await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      if (stillNeeded && !(await stillNeeded())) return false;
    }
  } finally {
    await signal?.close();
  }
}

/**
 * One statement that takes the lock or fails with lock_not_available, and
 * with a guard checks the history digest, failing with KM001 when it differs.
 */
function openingBlock(key: string, guard?: { query: string; expected: string }): string {
  // The transaction's id, kept in a transaction-local setting: at COMMIT time it tells whether the
  // transaction is still the one the engine opened (a step may have run its own COMMIT).
  const lock = `if not pg_try_advisory_xact_lock(${key}) then raise exception 'the migration lock is held by another migrator' using errcode = '${LOCK_NOT_AVAILABLE}'; end if; perform set_config('${TXID_SETTING}', txid_current()::text, true);`;
  const check = guard
    ? ` if (${guard.query}) is distinct from '${guard.expected.replace(/[^0-9a-f]/g, '')}' then raise exception 'the history changed' using errcode = '${GUARD_MISMATCH}'; end if;`
    : '';
  return `do $kmigrate$ begin ${lock}${check} end $kmigrate$`;
}

/**
 * Compiles a tracking query with its values as literals (for a multi-statement
 * query, which cannot carry parameters): Kysely's own PostgreSQL compiler, with
 * every parameter written by pg's escapeLiteral — correct whatever
 * standard_conforming_strings says — instead of as `$n`.
 */
async function inlineLiterals(write: TrackingWrite): Promise<string> {
  // pg is loaded lazily everywhere, so that a SQLite cold start never evaluates it.
  const { escapeLiteral } = (await import('pg')).default;
  return new LiteralCompiler(escapeLiteral).compileQuery(write.toOperationNode(), createQueryId()).sql;
}

class LiteralCompiler extends PostgresQueryCompiler {
  readonly #quote: (text: string) => string;
  constructor(quote: (text: string) => string) {
    super();
    this.#quote = quote;
  }
  protected override appendValue(value: unknown): void {
    if (value === null || value === undefined) this.append('null');
    else if (typeof value === 'number' && Number.isFinite(value)) this.append(String(value));
    else if (typeof value === 'bigint') this.append(value.toString());
    else if (typeof value === 'boolean') this.append(value ? 'true' : 'false');
    else if (value instanceof Date) this.append(this.#quote(value.toISOString()));
    else this.append(this.#quote(String(value)));
  }
}

function ms(value: number): string {
  return `'${Math.max(0, Math.floor(value))}ms'`;
}

function lockName(table: TrackingTable, key: string): string {
  return `pg_advisory_lock(${key}) for ${table.schema}.${table.name}`;
}
