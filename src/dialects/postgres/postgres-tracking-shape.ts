import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { ColumnKind, TableShape, TrackingShapeReading } from '../../engine/tracking-shape.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { quoteIdent } from '../tracking-row.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  /** A primary key or unique index on this column alone (no predicate, no expression). */
  unique_alone: boolean;
}

/**
 * The tracking tables' columns and which of them alone are unique, in one
 * catalog query (pg_attribute, pg_index), for the engine's shape check.
 */
export async function readPostgresTrackingShape(
  db: AnyKysely,
  table: TrackingTable,
): Promise<TrackingShapeReading> {
  const history = `${table.name}_history`;
  const repeatables = `${table.name}_repeatables`;
  const { rows } = await sql<ColumnRow>`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type,
      exists (
        select 1 from pg_index i
        where i.indrelid = c.oid and i.indisunique and i.indnkeyatts = 1 and i.indkey[0] = a.attnum
          and i.indpred is null and i.indexprs is null
      ) as unique_alone
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = ${table.schema} and c.relname in (${table.name}, ${history}, ${repeatables})
      and c.relkind in ('r', 'p')`.execute(db);
  const shapeOf = (name: string): TableShape | undefined => {
    const own = rows.filter((r) => r.table_name === name);
    if (!own.length) return undefined;
    return {
      columns: new Map(own.map((r) => [r.column_name, r.type])),
      uniqueColumns: new Set(own.filter((r) => r.unique_alone).map((r) => r.column_name)),
    };
  };
  const qualified = (name: string) => `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
  return {
    shape: { tracking: shapeOf(table.name), history: shapeOf(history), repeatables: shapeOf(repeatables) },
    sql: {
      matches: (declared, kind) => KIND_PATTERN[kind].test(declared),
      addColumn: (name, column, kind, notNull) =>
        column === 'id'
          ? `alter table ${qualified(name)} add column id bigint generated always as identity`
          : `alter table ${qualified(name)} add column ${quoteIdent(column)} ${TYPE[kind]}${notNull ? ` not null default ${DEFAULT[kind]}` : ''}`,
      changeType: (name, column, kind) =>
        `alter table ${qualified(name)} alter column ${quoteIdent(column)} type ${TYPE[kind]} using ${quoteIdent(column)}::${TYPE[kind]}`,
      unique: (name, column) => `alter table ${qualified(name)} add primary key (${column})`,
      createHistory: () => oneLine(postgresTrackingDdl(table.schema, table.name)[2]!),
    },
  };
}

const KIND_PATTERN: Record<ColumnKind, RegExp> = {
  integer: /^(bigint|integer|smallint)$/,
  text: /^(text|character varying(\(\d+\))?)$/,
  timestamp: /^timestamp(\(\d\))? with(out)? time zone$/,
};

const TYPE: Record<ColumnKind, string> = { integer: 'bigint', text: 'text', timestamp: 'timestamptz' };
const DEFAULT: Record<ColumnKind, string> = { integer: '0', text: "''", timestamp: 'now()' };

function oneLine(ddl: string): string {
  return ddl.replace(/\s*\n\s*/g, ' ');
}
