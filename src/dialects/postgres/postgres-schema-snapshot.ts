import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import {
  createSnapshot,
  isManagedSchema,
  type SchemaObject,
  type SchemaSnapshot,
  type SnapshotOptions,
} from '../../engine/schema-snapshot.ts';

/**
 * Reads PostgreSQL's catalogs into a SchemaSnapshot. Only names, definitions
 * and flags are kept, never OIDs, so two databases built by the same
 * migrations compare equal. Objects that belong to an extension (pg_depend
 * deptype 'e', e.g. pgvector's functions in public) are left out: the
 * extension, not our migrations, owns them.
 */
export async function snapshotPostgresSchema(
  db: AnyKysely,
  options: SnapshotOptions,
): Promise<SchemaSnapshot> {
  const schemas = [...new Set(options.schemas)].filter((s) => !isManagedSchema(s));
  const q = { schemas, excluded: [...options.excludeTables] };
  // One read-only snapshot of the catalogs. The pg_get_*def functions leave out
  // schemas that are on the search_path, which differs between databases
  // (Supabase sets it per database): with only pg_catalog on it, every name is
  // qualified the same way everywhere.
  const objects = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local search_path = pg_catalog`.execute(trx);
      const serverVersion = await versionNum(trx);
      return [
        ...(await tables(trx, q)),
        ...(await columns(trx, q)),
        ...(await constraints(trx, q)),
        ...(await indexes(trx, q)),
        ...(await enums(trx, q)),
        ...(await sequences(trx, q)),
        ...(await views(trx, q)),
        ...(await functions(trx, q, serverVersion)),
        ...(await triggers(trx, q)),
        ...(await policies(trx, q)),
      ] satisfies SchemaObject[];
    });
  return createSnapshot('postgres', schemas, objects);
}

interface Scope {
  schemas: string[];
  excluded: string[];
}

/** `schema.name`, written as the catalogs spell it (no quoting: names are compared, not run). */
function qualify(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** pg_class rows of our schemas, minus excluded tables and extension members. */
function relationFilter(alias: string, scope: Scope) {
  return sql`${sql.ref(`${alias}.relnamespace`)} in (select oid from pg_namespace where nspname = any(${scope.schemas}::text[]))
    and not (${sql.ref(`${alias}.relname`)} = any(${scope.excluded}::text[]))
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = ${sql.ref(`${alias}.oid`)} and d.deptype = 'e')`;
}

async function versionNum(db: AnyKysely): Promise<number> {
  const { rows } = await sql<{
    v: string;
  }>`select current_setting('server_version_num') as v`.execute(db);
  return Number(rows[0]?.v ?? 0);
}

async function tables(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    name: string;
    relkind: string;
    rls: boolean;
    force_rls: boolean;
    unlogged: boolean;
    options: string[] | null;
    partition_key: string | null;
    partition_of: string | null;
    partition_bound: string | null;
  }>`select n.nspname::text as schema, c.relname::text as name, c.relkind::text as relkind,
      c.relrowsecurity as rls, c.relforcerowsecurity as force_rls, c.relpersistence = 'u' as unlogged,
      c.reloptions::text[] as options,
      case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
      (select pn.nspname || '.' || p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent
         join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid and c.relispartition) as partition_of,
      case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as partition_bound
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and ${relationFilter('c', scope)}`.execute(db);
  return rows.map((r) => ({
    kind: 'table',
    name: qualify(r.schema, r.name),
    properties: {
      partitioned: r.relkind === 'p',
      rowLevelSecurity: r.rls,
      forceRowLevelSecurity: r.force_rls,
      unlogged: r.unlogged,
      options: r.options ? [...r.options].sort() : null,
      partitionKey: r.partition_key,
      partitionOf: r.partition_of,
      partitionBound: r.partition_bound,
    },
  }));
}

async function columns(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    table: string;
    name: string;
    type: string;
    not_null: boolean;
    default: string | null;
    generated: string | null;
    identity: string;
    collation: string | null;
  }>`select n.nspname::text as schema, c.relname::text as table, a.attname::text as name,
      format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
      case when a.attgenerated = '' then pg_get_expr(ad.adbin, ad.adrelid) end as default,
      case when a.attgenerated <> '' then pg_get_expr(ad.adbin, ad.adrelid) end as generated,
      a.attidentity::text as identity,
      case when a.attcollation <> t.typcollation then co.collname::text end as collation
    from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_type t on t.oid = a.atttypid
      left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
      left join pg_collation co on co.oid = a.attcollation
    where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p') and ${relationFilter('c', scope)}`.execute(
    db,
  );
  return rows.map((r) => {
    const table = qualify(r.schema, r.table);
    return {
      kind: 'column',
      name: `${table}.${r.name}`,
      table,
      properties: {
        type: r.type,
        nullable: !r.not_null,
        default: r.default,
        identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by default' : null,
        generated: r.generated,
        collation: r.collation,
      },
    };
  });
}

const CONSTRAINT_TYPES: Record<string, string> = {
  p: 'primary key',
  u: 'unique',
  c: 'check',
  f: 'foreign key',
  x: 'exclusion',
  t: 'constraint trigger',
};

const FK_ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

async function constraints(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  const { rows } = await sql<{
    schema: string;
    table: string;
    name: string;
    contype: string;
    definition: string;
    references: string | null;
    on_delete: string;
    on_update: string;
    deferrable: boolean;
    deferred: boolean;
  }>`select n.nspname::text as schema, c.relname::text as table, k.conname::text as name, k.contype::text as contype,
      pg_get_constraintdef(k.oid, true) as definition,
      (select fn.nspname || '.' || f.relname from pg_class f join pg_namespace fn on fn.oid = f.relnamespace
         where f.oid = k.confrelid) as references,
      k.confdeltype::text as on_delete, k.confupdtype::text as on_update,
      k.condeferrable as deferrable, k.condeferred as deferred
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where k.contype in ('p', 'u', 'c', 'f', 'x', 't') and ${relationFilter('c', scope)}`.execute(db);
  return rows.map((r) => {
    const table = qualify(r.schema, r.table);
    const fk = r.contype === 'f';
    return {
      kind: 'constraint',
      name: `${table}.${r.name}`,
      table,
      properties: {
        type: CONSTRAINT_TYPES[r.contype] ?? r.contype,
        definition: r.definition,
        references: fk ? r.references : null,
        onDelete: fk ? (FK_ACTIONS[r.on_delete] ?? r.on_delete) : null,
        onUpdate: fk ? (FK_ACTIONS[r.on_update] ?? r.on_update) : null,
        deferrable: r.deferrable,
        initiallyDeferred: r.deferred,
      },
    };
  });
}

async function indexes(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
  // Indexes that back a primary key, unique or exclusion constraint are
  // reported as that constraint, not twice.
  const { rows } = await sql<{
    schema: string;
    table: string;
    name: string;
    unique: boolean;
    method: string;
    definition: string;
    predicate: string | null;
    options: string[] | null;
  }>`select n.nspname::text as schema, c.relname::text as table, i.relname::text as name,
      x.indisunique as unique, am.amname::text as method, pg_get_indexdef(x.indexrelid) as definition,
      pg_get_expr(x.indpred, x.indrelid) as predicate, i.reloptions::text[] as options
    from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class c on c.oid = x.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_am am on am.oid = i.relam
    where ${relationFilter('c', scope)}
      and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid and k.contype in ('p', 'u', 'x'))`.execute(
    db,
  );
  return rows.map((r) => {
    const parts = indexDefinitionParts(r.definition, r.method);
    return {
      kind: 'index',
      name: qualify(r.schema, r.name),
      table: qualify(r.schema, r.table),
      properties: {
        unique: r.unique,
        method: r.method,
        columns: parts.columns,
        include: parts.include,
        nullsNotDistinct: parts.nullsNotDistinct,
        predicate: r.predicate,
        options: r.options ? [...r.options].sort() : null,
      },
    };
  });
}

/**
 * Splits `CREATE INDEX i ON t USING btree (a DESC, lower(b)) INCLUDE (c) WHERE …`
 * into its key list and INCLUDE list. Per-column pg_get_indexdef loses
 * DESC/NULLS FIRST, so the full definition is the reliable source.
 */
export function indexDefinitionParts(
  definition: string,
  method: string,
): { columns: string; include: string | null; nullsNotDistinct: boolean } {
  const at = definition.indexOf(` USING ${method} (`);
  if (at < 0) return { columns: definition, include: null, nullsNotDistinct: false };
  const open = at + ` USING ${method} `.length;
  const close = matchingParen(definition, open);
  const columns = definition.slice(open + 1, close);
  const rest = definition.slice(close + 1);
  const whereAt = rest.indexOf(' WHERE ');
  const head = whereAt >= 0 ? rest.slice(0, whereAt) : rest;
  const include = /\bINCLUDE \((.*?)\)/.exec(head)?.[1] ?? null;
  return { columns, include, nullsNotDistinct: /\bNULLS NOT DISTINCT\b/.test(head) };
}

/** Index of the `)` closing the `(` at `open`, skipping quoted text. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return text.length;
      i = end;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return text.length;
}

async function enums(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

async function sequences(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

async function views(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

async function functions(db: AnyKysely, scope: Scope, serverVersion: number): Promise<SchemaObject[]> {
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

async function triggers(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

async function policies(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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
