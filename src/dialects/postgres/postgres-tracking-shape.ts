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
  version_unique: boolean;
}

/**
 * Both tracking tables' columns and whether `version` alone is unique, in one
 * catalog query (pg_attribute, pg_index), for the engine's shape check.
 */
export async function readPostgresTrackingShape(
  db: AnyKysely,
  table: TrackingTable,
): Promise<TrackingShapeReading> {
  const history = `${table.name}_history`;
  const { rows } = await sql<ColumnRow>`
    select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type,
      exists (
        select 1 from pg_index i
        join pg_attribute v on v.attrelid = c.oid and v.attname = 'version' and not v.attisdropped
        where i.indrelid = c.oid and i.indisunique and i.indnkeyatts = 1 and i.indkey[0] = v.attnum
          and i.indpred is null and i.indexprs is null
      ) as version_unique
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = ${table.schema} and c.relname in (${table.name}, ${history}) and c.relkind in ('r', 'p')`.execute(
    db,
  );
  const shapeOf = (name: string): TableShape | undefined => {
    const own = rows.filter((r) => r.table_name === name);
    if (!own.length) return undefined;
    return {
      columns: new Map(own.map((r) => [r.column_name, r.type])),
      versionUnique: own.some((r) => r.version_unique),
    };
  };
  const qualified = (name: string) => `${quoteIdent(table.schema)}.${quoteIdent(name)}`;
  return {
    shape: { tracking: shapeOf(table.name), history: shapeOf(history) },
    sql: {
      matches: (declared, kind) => KIND_PATTERN[kind].test(declared),
      addColumn: (name, column, kind, notNull) =>
        column === 'id'
          ? `alter table ${qualified(name)} add column id bigint generated always as identity`
          : `alter table ${qualified(name)} add column ${quoteIdent(column)} ${TYPE[kind]}${notNull ? ` not null default ${DEFAULT[kind]}` : ''}`,
      changeType: (name, column, kind) =>
        `alter table ${qualified(name)} alter column ${quoteIdent(column)} type ${TYPE[kind]} using ${quoteIdent(column)}::${TYPE[kind]}`,
      uniqueVersion: (name) => `alter table ${qualified(name)} add primary key (version)`,
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
