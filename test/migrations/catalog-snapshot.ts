import path from 'node:path';
import type { TestDatabase } from '../support/databases.ts';

/** The real migrations folder: tests run the files that ship. */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations');
export const MIGRATE_OPTIONS = { config: { migrationsDir: MIGRATIONS_DIR } };

/**
 * Every schema object the migrations can create, read from the catalog (not
 * through the tool), as sorted lines `kind:name | definition`. The tracking
 * tables are left out. Two snapshots are equal iff the schemas are.
 */
export async function catalogSnapshot(database: TestDatabase): Promise<string[]> {
  return (database.dialect === 'sqlite' ? sqliteSnapshot(database) : postgresSnapshot(database)).then((l) =>
    l.sort(),
  );
}

/** The `kind:name` part of snapshot lines. */
export function objectNames(lines: string[]): string[] {
  return lines.map((line) => line.split(' | ')[0]!);
}

export function added(before: string[], after: string[]): string[] {
  return after.filter((line) => !before.includes(line));
}

async function sqliteSnapshot(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ type: string; name: string; sql: string | null }>(
    `select type, name, sql from sqlite_master
     where tbl_name not like 'schema_migrations%' and name <> 'sqlite_sequence'`,
  );
  return rows.map((r) => `${r.type}:${r.name} | ${r.sql ?? '(automatic)'}`);
}

async function postgresSnapshot(database: TestDatabase): Promise<string[]> {
  const lines: string[] = [];
  const tables = await database.query<{ relname: string; relkind: string; relrowsecurity: boolean }>(
    `select c.relname, c.relkind, c.relrowsecurity from pg_class c
     join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname not like 'schema_migrations%'`,
  );
  const kinds: Record<string, string> = { r: 'table', i: 'index', S: 'sequence', v: 'view', m: 'view' };
  for (const t of tables) {
    lines.push(
      `${kinds[t.relkind] ?? t.relkind}:${t.relname}${t.relkind === 'r' ? ` | rls=${t.relrowsecurity}` : ''}`,
    );
  }
  const columns = await database.query<{ table_name: string; column_name: string; def: string }>(
    `select table_name, column_name,
       data_type || coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '')
       || case when is_nullable = 'NO' then ' not null' else '' end
       || coalesce(' default ' || column_default, '')
       || case when is_identity = 'YES' then ' identity ' || identity_generation else '' end as def
     from information_schema.columns
     where table_schema = 'public' and table_name not like 'schema_migrations%'`,
  );
  for (const c of columns) lines.push(`column:${c.table_name}.${c.column_name} | ${c.def}`);
  const indexes = await database.query<{ indexname: string; indexdef: string; valid: boolean }>(
    `select i.indexname, i.indexdef, x.indisvalid as valid from pg_indexes i
     join pg_class c on c.relname = i.indexname and c.relnamespace = 'public'::regnamespace
     join pg_index x on x.indexrelid = c.oid
     where i.schemaname = 'public' and i.tablename not like 'schema_migrations%'`,
  );
  for (const i of indexes) lines.push(`indexdef:${i.indexname} | ${i.indexdef}${i.valid ? '' : ' INVALID'}`);
  const constraints = await database.query<{ table: string; conname: string; def: string }>(
    `select r.relname as table, c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
     join pg_class r on r.oid = c.conrelid
     where r.relnamespace = 'public'::regnamespace and r.relname not like 'schema_migrations%'`,
  );
  for (const c of constraints) lines.push(`constraint:${c.table}.${c.conname} | ${c.def}`);
  const policies = await database.query<{ tablename: string; policyname: string; def: string }>(
    `select tablename, policyname,
       cmd || ' to ' || array_to_string(roles, ',') || ' using ' || coalesce(qual, '-') || ' check ' || coalesce(with_check, '-') as def
     from pg_policies where schemaname = 'public'`,
  );
  for (const p of policies) lines.push(`policy:${p.tablename}.${p.policyname} | ${p.def}`);
  return lines;
}
