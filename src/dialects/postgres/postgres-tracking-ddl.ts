import { quoteIdent } from '../tracking-row.ts';

/** Tracking table and its append-only history, in PostgreSQL's types. */
export function postgresTrackingDdl(schema: string, table: string): string[] {
  const s = quoteIdent(schema);
  return [
    `create schema if not exists ${s}`,
    `create table if not exists ${s}.${quoteIdent(table)} (
  version bigint primary key,
  name text not null,
  checksum text not null,
  state text not null default 'applied' check (state in ('applied', 'running', 'reverting')),
  applied_at timestamptz not null default now(),
  execution_ms integer not null default 0,
  applied_by text not null,
  error text
)`,
    `create table if not exists ${s}.${quoteIdent(`${table}_history`)} (
  id bigint generated always as identity primary key,
  version bigint not null,
  name text not null,
  action text not null,
  checksum text,
  execution_ms integer,
  performed_at timestamptz not null default now(),
  performed_by text not null,
  details text
)`,
  ];
}

/**
 * The repeatable migrations' rows (`<table>_repeatables`), made when the first
 * repeatable is applied: databases without repeatables never get the table.
 */
export function postgresRepeatablesDdl(schema: string, table: string): string[] {
  const s = quoteIdent(schema);
  return [
    `create schema if not exists ${s}`,
    `create table if not exists ${s}.${quoteIdent(`${table}_repeatables`)} (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now(),
  execution_ms integer not null default 0,
  applied_by text not null
)`,
  ];
}
