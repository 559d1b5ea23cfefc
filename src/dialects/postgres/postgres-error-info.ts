import type { DatabaseErrorInfo } from '../../engine/dialect-adapter.ts';
import { ACTIVE_SQL_TRANSACTION, LOCK_NOT_AVAILABLE, QUERY_CANCELED } from './postgres-lock-sql.ts';

/** A pg error as the engine reports it: SQLSTATE, position, detail, and a hint saying what to do for the codes we know. */
export function describePostgresError(error: unknown): DatabaseErrorInfo {
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
  if (e.code === UNSAFE_NEW_ENUM_VALUE) {
    // psql without -1 runs each statement on its own; the migration's transaction holds them together.
    info.hint =
      'a value ALTER TYPE … ADD VALUE adds cannot be used before its transaction commits: move what uses it to the next migration, or run this one outside a transaction (a first line `-- migrate:no-transaction`)';
  }
  return info;
}

/** 55P04: "unsafe use of new value … of enum type …". */
const UNSAFE_NEW_ENUM_VALUE = '55P04';
