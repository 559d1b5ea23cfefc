import type { TestDatabase } from '../../support/databases.ts';

/**
 * The schema as sorted lines (tables, columns, indexes), read from the catalog
 * directly, never through the tool. Two databases with equal snapshots have the
 * same tables, columns (type, nullability, default) and index definitions.
 */
export async function catalogSnapshot(
  database: Pick<TestDatabase, 'dialect' | 'query'>,
  options: { includeTracking?: boolean; trackingTable?: string } = {},
): Promise<string[]> {
  const tracking = options.trackingTable ?? 'schema_migrations';
  const lines = database.dialect === 'sqlite' ? await sqliteLines(database) : await postgresLines(database);
  const keep = options.includeTracking ? lines : lines.filter((l) => !l.split(' ')[1]?.startsWith(tracking));
  return keep.sort();
}

async function sqliteLines(database: Pick<TestDatabase, 'query'>): Promise<string[]> {
  const objects = await database.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    `select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' order by name`,
  );
  const columns = await database.query<{
    tbl: string;
    name: string;
    type: string;
    notnull: number;
    pk: number;
    dflt: string | null;
  }>(
    `select m.name as tbl, p.name, p.type, p."notnull" as "notnull", p.pk, p.dflt_value as dflt
       from sqlite_master m join pragma_table_info(m.name) p
      where m.type = 'table' and m.name not like 'sqlite_%'`,
  );
  return [
    ...objects.map((o) => `${o.type} ${o.tbl_name} ${o.name} ${(o.sql ?? '').replace(/\s+/g, ' ')}`),
    ...columns.map(
      (c) => `column ${c.tbl} ${c.name} ${c.type} notnull=${c.notnull} pk=${c.pk} default=${c.dflt}`,
    ),
  ];
}

async function postgresLines(database: Pick<TestDatabase, 'query'>): Promise<string[]> {
  const tables = await database.query<{ table_name: string; table_type: string }>(
    `select table_name, table_type from information_schema.tables where table_schema = 'public'`,
  );
  const columns = await database.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `select table_name, column_name, data_type, is_nullable, column_default
       from information_schema.columns where table_schema = 'public'`,
  );
  const indexes = await database.query<{
    tablename: string;
    indexname: string;
    indexdef: string;
    valid: boolean;
  }>(
    `select i.tablename, i.indexname, i.indexdef, x.indisvalid as valid
       from pg_indexes i
       join pg_class c on c.relname = i.indexname
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = i.schemaname
       join pg_index x on x.indexrelid = c.oid
      where i.schemaname = 'public'`,
  );
  return [
    ...tables.map((t) => `table ${t.table_name} ${t.table_type}`),
    ...columns.map(
      (c) =>
        `column ${c.table_name} ${c.column_name} ${c.data_type} nullable=${c.is_nullable} default=${c.column_default}`,
    ),
    ...indexes.map((i) => `index ${i.tablename} ${i.indexname} ${i.indexdef}${i.valid ? '' : ' INVALID'}`),
  ];
}
