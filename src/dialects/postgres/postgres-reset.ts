import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { quoteIdent } from '../tracking-row.ts';

/**
 * Every object a migration can have made in `schema`, in a drop order that
 * works with CASCADE: relations, then routines, then types, then extensions.
 * Extension members and objects PostgreSQL made internally (a serial's
 * sequence, a range type's constructor, a table's row type) are left to their
 * owner, which takes them along.
 */
const OBJECTS_SQL = `
select kind, name from (
  select 1 as ord, case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
           when 'f' then 'foreign table' when 'S' then 'sequence' else 'table' end as kind,
         format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and not c.relispartition
     and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                        and (d.deptype = 'e' or (c.relkind = 'S' and d.deptype in ('a', 'i'))))
  union all
  select 2, case p.prokind when 'a' then 'aggregate' when 'p' then 'procedure' else 'function' end,
         format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = $1
     and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                        and d.deptype in ('e', 'i'))
  union all
  select 3, case t.typtype when 'd' then 'domain' else 'type' end, format('%I.%I', n.nspname, t.typname)
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
   where n.nspname = $1 and t.typtype in ('e', 'd', 'r', 'c')
     and (t.typtype <> 'c' or (select relkind from pg_class where oid = t.typrelid) = 'c')
     and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid
                        and d.deptype = 'e')
  union all
  select 4, 'extension', quote_ident(e.extname)
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
   where n.nspname = $1
) objects
order by ord, name`;

/**
 * Empties `schema` inside the caller's transaction: drops everything in it but
 * keeps the schema itself, so its owner, grants and default privileges (which
 * Supabase sets on `public` for anon/authenticated) survive the reset.
 */
export async function emptyPostgresSchema(trx: AnyKysely, schema: string): Promise<number> {
  const literal = `'${schema.replace(/'/g, "''")}'`;
  const { rows } = await sql
    .raw<{ kind: string; name: string }>(OBJECTS_SQL.replaceAll('$1', literal))
    .execute(trx);
  for (const { kind, name } of rows) {
    await sql.raw(`drop ${kind} if exists ${name} cascade`).execute(trx);
  }
  return rows.length;
}

/** Drops a schema a migration created (not the configured one), with everything in it. */
export async function dropPostgresSchema(trx: AnyKysely, schema: string): Promise<void> {
  await sql.raw(`drop schema if exists ${quoteIdent(schema)} cascade`).execute(trx);
}
