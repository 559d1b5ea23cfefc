import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';

/** What a snapshot reads: our schemas, minus the excluded (tracking) tables. */
export interface Scope {
  schemas: string[];
  excluded: string[];
}

/** `schema.name`, written as the catalogs spell it (no quoting: names are compared, not run). */
export function qualify(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** pg_class rows of our schemas, minus excluded tables and extension members. */
export function relationFilter(alias: string, scope: Scope) {
  return sql`${sql.ref(`${alias}.relnamespace`)} in (select oid from pg_namespace where nspname = any(${scope.schemas}::text[]))
    and not (${sql.ref(`${alias}.relname`)} = any(${scope.excluded}::text[]))
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = ${sql.ref(`${alias}.oid`)} and d.deptype = 'e')`;
}

export async function versionNum(db: AnyKysely): Promise<number> {
  const { rows } = await sql<{
    v: string;
  }>`select current_setting('server_version_num') as v`.execute(db);
  return Number(rows[0]?.v ?? 0);
}
