import { sql } from 'kysely';
import { trackingTableNames } from '../../engine/tracking-store.ts';
import type { SchemaDump, SchemaDumpOptions } from '../schema-dump-types.ts';
import { quoteIdent } from '../tracking-row.ts';

interface MasterRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  sql: string;
}

/** Creation order that always works: tables (in the order they were made), then indexes, views, triggers. */
const ORDER = { table: 0, index: 1, view: 2, trigger: 3 } as const;

/**
 * The schema of a SQLite database from sqlite_master, exactly as SQLite stored
 * each CREATE statement. Internal objects (sqlite_*, autoindexes) and the tracking
 * tables are left out; the down drops everything in reverse order.
 */
export async function dumpSqliteSchema(options: SchemaDumpOptions): Promise<SchemaDump> {
  const tracking = trackingTableNames(options.trackingTable);
  const { rows } = await sql<MasterRow>`
    select type, name, sql from sqlite_master
    where sql is not null and name not like 'sqlite_%' and tbl_name not in (${sql.join(tracking)})
    order by rowid`.execute(options.db);
  const objects = [...rows].sort((a, b) => ORDER[a.type] - ORDER[b.type]);
  const up = objects.map((o) => `${o.sql.trim()};`).join('\n\n');
  const down = [...objects]
    .reverse()
    .map((o) => `drop ${o.type} if exists ${quoteIdent(o.name)};`)
    .join('\n');
  return { up, down, objects: objects.length, source: 'sqlite_master' };
}
