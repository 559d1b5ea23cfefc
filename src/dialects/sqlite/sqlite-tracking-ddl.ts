import { quoteIdent } from '../tracking-row.ts';

/** Tracking table and its append-only history, in SQLite's types. */
export function sqliteTrackingDdl(table: string): string[] {
  return [
    `create table if not exists ${quoteIdent(table)} (
  version integer primary key,
  name text not null,
  checksum text not null,
  state text not null default 'applied' check (state in ('applied', 'running', 'reverting')),
  applied_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  execution_ms integer not null default 0,
  applied_by text not null,
  error text
)`,
    `create table if not exists ${quoteIdent(`${table}_history`)} (
  id integer primary key autoincrement,
  version integer not null,
  name text not null,
  action text not null,
  checksum text,
  execution_ms integer,
  performed_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  performed_by text not null,
  details text
)`,
  ];
}

/**
 * The repeatable migrations' rows (`<table>_repeatables`), made when the first
 * repeatable is applied: databases without repeatables never get the table.
 */
export function sqliteRepeatablesDdl(table: string): string[] {
  return [
    `create table if not exists ${quoteIdent(`${table}_repeatables`)} (
  name text primary key,
  checksum text not null,
  applied_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  execution_ms integer not null default 0,
  applied_by text not null
)`,
  ];
}
