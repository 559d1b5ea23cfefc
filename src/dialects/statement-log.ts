import type { LogEvent } from 'kysely';

type StatementListener = (sql: string, ms: number) => void;

let listener: StatementListener | undefined;

/**
 * Sends every SQL statement run through a connection kmigrate opened (the
 * database, scratch databases) to `fn`, or stops with undefined. The CLI's
 * --verbose sets it for one run: a process-wide switch, because the statements
 * come from every layer (engine, drivers, checks) and none should carry a logger.
 */
export function logStatementsTo(fn: StatementListener | undefined): void {
  listener = fn;
}

/** Kysely's `log` option for every connection openDatabase makes; a no-op unless a listener is set. */
export function statementLog(event: LogEvent): void {
  listener?.(event.query.sql, event.queryDurationMillis);
}

/**
 * Whether a listener is set: a driver that may run a statement on the native
 * handle (past Kysely, so past its log) goes through Kysely while one is.
 */
export function statementsLogged(): boolean {
  return listener !== undefined;
}
