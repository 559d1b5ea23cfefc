import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { InvalidIndex } from '../../engine/invalid-index.ts';

/**
 * Indexes PostgreSQL keeps but does not use (pg_index.indisvalid = false): a
 * CREATE INDEX CONCURRENTLY that failed or was cancelled leaves its index
 * behind INVALID, and a rerun then fails on "already exists". Without
 * `schemas`: every schema but the system's. One query.
 */
export async function postgresInvalidIndexes(
  db: AnyKysely,
  schemas?: readonly string[],
): Promise<InvalidIndex[]> {
  const scope = schemas
    ? sql`n.nspname = any(${[...schemas]}::text[])`
    : sql`n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`;
  const { rows } = await sql<InvalidIndex>`select n.nspname as schema, c.relname as name, t.relname as "table"
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    join pg_class t on t.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    where not i.indisvalid and ${scope}
    order by 1, 2`.execute(db);
  return rows.map((r) => ({ schema: r.schema, name: r.name, table: r.table }));
}
