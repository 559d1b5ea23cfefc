import type { LockOptions } from '../../engine/dialect-adapter.ts';
import type { TrackingTable } from '../../engine/types.ts';

/*
 * The SQL text the PostgreSQL adapter sends around its locks: the SQLSTATEs it
 * acts on, the session reset, the opening block that takes the lock and checks
 * the history in one statement, and the check that a transaction is still ours.
 */

/** SQLSTATEs we act on. */
export const UNDEFINED_TABLE = '42P01';
export const UNDEFINED_COLUMN = '42703';
export const INVALID_SCHEMA = '3F000';
export const LOCK_NOT_AVAILABLE = '55P03';
/** An aborted transaction refuses every statement but ROLLBACK. */
export const IN_FAILED_TRANSACTION = '25P02';
/** Ours: the tracking rows changed since the plan was made (class KM is unused by PostgreSQL). */
export const GUARD_MISMATCH = 'KM001';
export const ACTIVE_SQL_TRANSACTION = '25001';
/** Ours: at COMMIT time the transaction is not the one the engine opened. */
export const TRANSACTION_ENDED = 'KM002';
export const TXID_SETTING = 'kmigrate.txid';
/**
 * Raises KM002 unless the current transaction is the one openLockedTransaction started. The id it
 * reads is a transaction-local setting: a COMMIT or ROLLBACK inside the migration ends it, and so does
 * the migration's own RESET ALL (then the engine finds its transaction still open and rolls it back).
 */
export const STILL_OURS = `do $$ begin if current_setting('${TXID_SETTING}', true) is distinct from txid_current()::text then raise exception 'the migration ended the transaction (COMMIT, ROLLBACK) or cleared the session''s settings (RESET ALL: reset what it changed by name instead), so kmigrate cannot tell its transaction' using errcode = '${TRANSACTION_ENDED}'; end if; end $$`;
/** The txid record of openingBlock without the lock (the session already holds it) and without plpgsql. */
export const RECORD_TXID = `select set_config('${TXID_SETTING}', txid_current()::text, true)`;
export const QUERY_CANCELED = '57014';
/** ROLLBACK TO SAVEPOINT of a savepoint the transaction does not have. */
export const NO_SUCH_SAVEPOINT = '3B001';
/** A transaction-block statement outside any transaction block. */
export const NO_ACTIVE_TRANSACTION = '25P01';
/** Session-level marker of the last opening (or kept COMMIT) that ran: it outlives a COMMIT, not a ROLLBACK. */
export const STEP_MARKER = 'kmigrate.step';

/**
 * Every step starts from the session's defaults (one run of N = N runs of 1):
 * a migration's `SET search_path`/`SET ROLE`/`SET TIME ZONE` must not move the
 * next one. DISCARD ALL would also drop advisory locks (and cannot run in a
 * transaction); RESET ALL leaves role and session authorization alone, hence both.
 * Inside a transaction these take effect at COMMIT, and vanish with a ROLLBACK
 * (which undoes the migration's own SETs as well).
 */
export const RESET_SESSION = 'set session authorization default; reset all';

/**
 * One statement that takes the lock or fails with lock_not_available, and
 * with a guard checks the history digest, failing with KM001 when it differs.
 */
export function openingBlock(key: string, guard?: { query: string; expected: string }): string {
  // The transaction's id, kept in a transaction-local setting: at COMMIT time it tells whether the
  // transaction is still the one the engine opened (a step may have run its own COMMIT).
  const lock = `if not pg_try_advisory_xact_lock(${key}) then raise exception 'the migration lock is held by another migrator' using errcode = '${LOCK_NOT_AVAILABLE}'; end if; perform set_config('${TXID_SETTING}', txid_current()::text, true);`;
  const check = guard
    ? ` if (${guard.query}) is distinct from '${guard.expected.replace(/[^0-9a-f]/g, '')}' then raise exception 'the history changed' using errcode = '${GUARD_MISMATCH}'; end if;`
    : '';
  return `do $kmigrate$ begin ${lock}${check} end $kmigrate$`;
}

/** A step's BEGIN, from the session's defaults, with the migration's own limits. */
export function stepOpening(options: LockOptions): string[] {
  return [
    'begin',
    RESET_SESSION,
    `set local lock_timeout = ${ms(options.statementLockTimeoutMs)}`,
    `set local statement_timeout = ${ms(options.statementTimeoutMs)}`,
    `set local idle_in_transaction_session_timeout = ${ms(options.idleInTransactionTimeoutMs ?? 0)}`,
  ];
}

/** A duration for SET: whole milliseconds, never negative. */
export function ms(value: number): string {
  return `'${Math.max(0, Math.floor(value))}ms'`;
}

/** How a lock timeout names the lock it waited for. */
export function lockName(table: TrackingTable, key: string): string {
  return `pg_advisory_lock(${key}) for ${table.schema}.${table.name}`;
}

/** The SQLSTATE of a pg error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
