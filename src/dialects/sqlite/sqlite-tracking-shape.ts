import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { TableShape, TrackingShapeReading } from '../../engine/tracking-shape.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { quoteIdent } from '../tracking-row.ts';
import { sqliteTrackingDdl } from './sqlite-tracking-ddl.ts';

interface ColumnRow {
  name: string;
  type: string;
  pk: number;
}

/**
 * Both tracking tables' declared columns (pragma_table_info) and whether
 * `version` alone is unique: the INTEGER PRIMARY KEY, or a one-column unique index.
 */
export async function readSqliteTrackingShape(
  db: AnyKysely,
  table: TrackingTable,
): Promise<TrackingShapeReading> {
  const history = `${table.name}_history`;
  const shapeOf = async (name: string): Promise<TableShape | undefined> => {
    const { rows } = await sql<ColumnRow>`select name, type, pk from pragma_table_info(${name})`.execute(db);
    if (!rows.length) return undefined;
    const keyed = rows.filter((r) => r.pk > 0);
    const primary = keyed.length === 1 && keyed[0]!.name === 'version';
    const { rows: unique } = await sql<{ n: number }>`
      select count(*) as n from pragma_index_list(${name}) il
      where il."unique" = 1
        and (select count(*) from pragma_index_info(il.name)) = 1
        and (select ii.name from pragma_index_info(il.name) ii) = 'version'`.execute(db);
    return {
      columns: new Map(rows.map((r) => [r.name, r.type])),
      versionUnique: primary || Number(unique[0]?.n ?? 0) > 0,
    };
  };
  return {
    shape: { tracking: await shapeOf(table.name), history: await shapeOf(history) },
    sql: {
      matches: (declared, kind) => affinity(declared) === (kind === 'integer' ? 'integer' : 'text'),
      addColumn: (name, column, kind, notNull) =>
        `alter table ${quoteIdent(name)} add column ${quoteIdent(column)} ${kind === 'integer' ? 'integer' : 'text'}${notNull ? ` not null default ${kind === 'integer' ? '0' : "''"}` : ''}`,
      // SQLite has no ALTER COLUMN … TYPE: the engine says to rebuild the table.
      changeType: () => undefined,
      uniqueVersion: (name) =>
        `create unique index ${quoteIdent(`${name}_version_key`)} on ${quoteIdent(name)} (version)`,
      createHistory: () => sqliteTrackingDdl(table.name)[1]!.replace(/\s*\n\s*/g, ' '),
    },
  };
}

/** SQLite's type affinity rules (datatype3.html §3.1), the two that matter here. */
function affinity(declared: string): 'integer' | 'text' | 'other' {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'text';
  return 'other';
}
