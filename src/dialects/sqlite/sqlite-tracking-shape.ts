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
 * The tracking tables' declared columns (pragma_table_info) and which of them
 * alone are unique: a one-column primary key, or a one-column unique index.
 */
export async function readSqliteTrackingShape(
  db: AnyKysely,
  table: TrackingTable,
): Promise<TrackingShapeReading> {
  const shapeOf = async (name: string): Promise<TableShape | undefined> => {
    const { rows } = await sql<ColumnRow>`select name, type, pk from pragma_table_info(${name})`.execute(db);
    if (!rows.length) return undefined;
    const keyed = rows.filter((r) => r.pk > 0);
    // Partial unique indexes do not count: they leave rows outside their predicate free to repeat.
    const { rows: unique } = await sql<{ column: string }>`
      select (select ii.name from pragma_index_info(il.name) ii) as "column" from pragma_index_list(${name}) il
      where il."unique" = 1 and il.partial = 0
        and (select count(*) from pragma_index_info(il.name)) = 1`.execute(db);
    return {
      columns: new Map(rows.map((r) => [r.name, r.type])),
      uniqueColumns: new Set([
        ...(keyed.length === 1 ? [keyed[0]!.name] : []),
        ...unique.map((u) => u.column),
      ]),
    };
  };
  return {
    shape: {
      tracking: await shapeOf(table.name),
      history: await shapeOf(`${table.name}_history`),
      repeatables: await shapeOf(`${table.name}_repeatables`),
    },
    sql: {
      matches: (declared, kind) => affinity(declared) === (kind === 'integer' ? 'integer' : 'text'),
      addColumn: (name, column, kind, notNull) =>
        `alter table ${quoteIdent(name)} add column ${quoteIdent(column)} ${kind === 'integer' ? 'integer' : 'text'}${notNull ? ` not null default ${kind === 'integer' ? '0' : "''"}` : ''}`,
      // SQLite has no ALTER COLUMN … TYPE: the engine says to rebuild the table.
      changeType: () => undefined,
      unique: (name, column) =>
        `create unique index ${quoteIdent(`${name}_${column}_key`)} on ${quoteIdent(name)} (${column})`,
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
