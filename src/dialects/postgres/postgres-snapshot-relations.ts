import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { SchemaObject } from '../../engine/schema-snapshot.ts';
import { qualify, relationFilter, type Scope } from './postgres-snapshot-scope.ts';

/* Tables, columns, constraints and indexes: the relation half of a PostgreSQL snapshot. */

export async function tables(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

export async function columns(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

export async function constraints(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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

export async function indexes(db: AnyKysely, scope: Scope): Promise<SchemaObject[]> {
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
