import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { SchemaObject } from '../../engine/schema-snapshot.ts';
import { qualify, relationFilter, type Scope } from './postgres-snapshot-scope.ts';

/* Enums, sequences, views, functions, triggers and policies: the definition half of a PostgreSQL snapshot. */

export async function enums(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    name: string;
    labels: string[];
  }>`select n.nspname::text as schema, t.typname::text as name,
      array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where t.typtype = 'e' and n.nspname = any(${scope.schemas}::text[])
      and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')`.execute(
    db,
  );
  return rows.map((r) => ({
    kind: 'enum',
    name: qualify(r.schema, r.name),
    properties: { labels: r.labels },
  }));
}

export async function sequences(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  // Identity sequences are part of their column (identity=always/by default);
  // serial sequences are real objects, reported unless their table is excluded.
  const { rows } = await sql<{
    schema: string;
    name: string;
    type: string;
    start: string;
    increment: string;
    min: string;
    max: string;
    cycle: boolean;
    owned_by: string | null;
  }>`select n.nspname::text as schema, c.relname::text as name, format_type(s.seqtypid, null) as type,
      s.seqstart::text as start, s.seqincrement::text as increment, s.seqmin::text as min, s.seqmax::text as max,
      s.seqcycle as cycle,
      (select tn.nspname || '.' || t.relname || '.' || a.attname from pg_depend d
         join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid = t.relnamespace
         join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
         where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype = 'a') as owned_by
    from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
    where ${relationFilter('c', scope)}
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'i')
      and not exists (select 1 from pg_depend d join pg_class t on t.oid = d.refobjid
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
          and t.relname = any(${scope.excluded}::text[]))`.execute(db);
  return rows.map((r) => ({
    kind: 'sequence',
    name: qualify(r.schema, r.name),
    properties: {
      type: r.type,
      start: r.start,
      increment: r.increment,
      min: r.min,
      max: r.max,
      cycle: r.cycle,
      ownedBy: r.owned_by,
    },
  }));
}

export async function views(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    name: string;
    relkind: string;
    definition: string;
    options: string[] | null;
  }>`select n.nspname::text as schema, c.relname::text as name, c.relkind::text as relkind,
      pg_get_viewdef(c.oid, true) as definition, c.reloptions::text[] as options
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('v', 'm') and ${relationFilter('c', scope)}`.execute(db);
  return rows.map((r) => ({
    kind: 'view',
    name: qualify(r.schema, r.name),
    properties: {
      materialized: r.relkind === 'm',
      definition: r.definition.trim(),
      // e.g. security_invoker=true, which Supabase's linter asks for.
      options: r.options ? [...r.options].sort() : null,
    },
  }));
}

export async function functions(db: AnyKysely, scope: Scope, serverVersion: number): Promise<SchemaObject[]> {
  // SQL-standard bodies (BEGIN ATOMIC, PostgreSQL 14+) live in prosqlbody, not prosrc.
  const body =
    serverVersion >= 140000 ? sql`coalesce(pg_get_function_sqlbody(p.oid), p.prosrc)` : sql`p.prosrc`;
  const { rows } = await sql<{
    schema: string;
    name: string;
    args: string;
    prokind: string;
    returns: string | null;
    language: string;
    volatility: string;
    security_definer: boolean;
    strict: boolean;
    config: string[] | null;
    body: string | null;
  }>`select n.nspname::text as schema, p.proname::text as name,
      pg_get_function_identity_arguments(p.oid) as args, p.prokind::text as prokind,
      pg_get_function_result(p.oid) as returns, l.lanname::text as language,
      p.provolatile::text as volatility, p.prosecdef as security_definer, p.proisstrict as strict,
      p.proconfig::text[] as config, ${body} as body
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where n.nspname = any(${scope.schemas}::text[]) and p.prokind in ('f', 'p', 'w')
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`.execute(
    db,
  );
  return rows.map((r) => ({
    kind: 'function',
    name: `${qualify(r.schema, r.name)}(${r.args})`,
    properties: {
      type: r.prokind === 'p' ? 'procedure' : r.prokind === 'w' ? 'window' : 'function',
      returns: r.returns,
      language: r.language,
      volatility: r.volatility === 'i' ? 'immutable' : r.volatility === 's' ? 'stable' : 'volatile',
      securityDefiner: r.security_definer,
      strict: r.strict,
      config: r.config ? [...r.config].sort() : null,
      // The body itself, so drift and verify can show a changed one as a line diff.
      body: (r.body ?? '').trim(),
    },
  }));
}

export async function triggers(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    table: string;
    name: string;
    definition: string;
    enabled: string;
  }>`select n.nspname::text as schema, c.relname::text as table, t.tgname::text as name,
      pg_get_triggerdef(t.oid, true) as definition, t.tgenabled::text as enabled
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and ${relationFilter('c', scope)}`.execute(db);
  const ENABLED: Record<string, string> = { O: 'origin', D: 'disabled', R: 'replica', A: 'always' };
  return rows.map((r) => {
    const table = qualify(r.schema, r.table);
    return {
      kind: 'trigger',
      name: `${table}.${r.name}`,
      table,
      properties: { definition: r.definition, enabled: ENABLED[r.enabled] ?? r.enabled },
    };
  });
}

const POLICY_COMMANDS: Record<string, string> = {
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
  '*': 'all',
};

export async function policies(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    table: string;
    name: string;
    command: string;
    permissive: boolean;
    roles: string[];
    using: string | null;
    with_check: string | null;
  }>`select n.nspname::text as schema, c.relname::text as table, p.polname::text as name,
      p.polcmd::text as command, p.polpermissive as permissive,
      array(select case when r = 0 then 'public' else pg_get_userbyid(r)::text end
        from unnest(p.polroles) r order by 1) as roles,
      pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
    where ${relationFilter('c', scope)}`.execute(db);
  return rows.map((r) => {
    const table = qualify(r.schema, r.table);
    return {
      kind: 'policy',
      name: `${table}.${r.name}`,
      table,
      properties: {
        command: POLICY_COMMANDS[r.command] ?? r.command,
        permissive: r.permissive,
        roles: r.roles,
        using: r.using,
        withCheck: r.with_check,
      },
    };
  });
}
