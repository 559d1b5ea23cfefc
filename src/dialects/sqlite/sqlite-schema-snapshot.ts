import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import {
  createSnapshot,
  type SchemaObject,
  type SchemaSnapshot,
  type SnapshotOptions,
} from '../../engine/schema-snapshot.ts';

interface MasterRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  tbl_name: string;
  sql: string | null;
}

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

interface IndexListRow {
  name: string;
  unique: number;
  origin: 'c' | 'u' | 'pk';
  partial: number;
}

interface IndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
  desc: number;
  coll: string;
  key: number;
}

interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
  match: string;
}

/**
 * Reads SQLite's schema from sqlite_master and the table/index/foreign-key
 * pragmas into a SchemaSnapshot. CHECK constraints exist only in the CREATE
 * TABLE text, so they are cut out of it; SQL text is compared with its
 * whitespace collapsed.
 */
export async function snapshotSqliteSchema(db: AnyKysely, options: SnapshotOptions): Promise<SchemaSnapshot> {
  const excluded = new Set(options.excludeTables);
  const { rows: master } = await sql<MasterRow>`select type, name, tbl_name, sql from sqlite_master
    where substr(name, 1, 7) <> 'sqlite_' order by type, name`.execute(db);
  const keep = master.filter((m) => !excluded.has(m.tbl_name));
  const objects: SchemaObject[] = [];
  const tableOptions = await readTableOptions(db);
  for (const m of keep) {
    if (m.type === 'table') objects.push(...(await table(db, m, tableOptions.get(m.name))));
    else if (m.type === 'index' && m.sql) objects.push(await createdIndex(db, m));
    else if (m.type === 'view')
      objects.push({ kind: 'view', name: m.name, properties: { definition: normalizeSql(m.sql ?? '') } });
    else if (m.type === 'trigger')
      objects.push({
        kind: 'trigger',
        name: `${m.tbl_name}.${m.name}`,
        table: m.tbl_name,
        properties: { definition: normalizeSql(m.sql ?? '') },
      });
  }
  return createSnapshot('sqlite', ['main'], objects);
}

/** WITHOUT ROWID and STRICT, from pragma table_list (SQLite 3.37+). */
async function readTableOptions(
  db: AnyKysely,
): Promise<Map<string, { withoutRowid: boolean; strict: boolean }>> {
  const { rows } = await sql<{
    schema: string;
    name: string;
    wr: number;
    strict: number;
  }>`select * from pragma_table_list where schema = 'main'`.execute(db);
  return new Map(rows.map((r) => [r.name, { withoutRowid: r.wr === 1, strict: r.strict === 1 }]));
}

async function table(
  db: AnyKysely,
  m: MasterRow,
  options: { withoutRowid: boolean; strict: boolean } | undefined,
): Promise<SchemaObject[]> {
  const name = m.name;
  const text = m.sql ?? '';
  const objects: SchemaObject[] = [
    {
      kind: 'table',
      name,
      properties: {
        virtual: /^create\s+virtual\s+table/i.test(text) ? normalizeSql(text) : null,
        withoutRowid: options?.withoutRowid ?? false,
        strict: options?.strict ?? false,
      },
    },
  ];
  const { rows: cols } = await sql<ColumnRow>`select * from pragma_table_xinfo(${name})`.execute(db);
  const pk: { name: string; position: number }[] = [];
  for (const c of cols) {
    // hidden 1: a virtual table's hidden column, not part of the schema we write.
    if (c.hidden === 1) continue;
    if (c.pk > 0) pk.push({ name: c.name, position: c.pk });
    objects.push({
      kind: 'column',
      name: `${name}.${c.name}`,
      table: name,
      properties: {
        type: c.type.toLowerCase(),
        nullable: c.notnull === 0,
        default: c.dflt_value,
        generated: c.hidden === 2 ? 'virtual' : c.hidden === 3 ? 'stored' : null,
      },
    });
  }
  if (pk.length) {
    objects.push({
      kind: 'constraint',
      name: `${name}.primary key`,
      table: name,
      properties: {
        type: 'primary key',
        columns: pk.sort((a, b) => a.position - b.position).map((p) => p.name),
      },
    });
  }
  const { rows: indexList } = await sql<IndexListRow>`select * from pragma_index_list(${name})`.execute(db);
  for (const ix of indexList) {
    if (ix.origin !== 'u') continue;
    // UNIQUE in CREATE TABLE: an automatic index named sqlite_autoindex_<table>_<n>.
    const columns = await indexColumns(db, ix.name);
    objects.push({
      kind: 'constraint',
      name: `${name}.unique(${columns.join(', ')})`,
      table: name,
      properties: { type: 'unique', columns },
    });
  }
  const { rows: fks } = await sql<ForeignKeyRow>`select * from pragma_foreign_key_list(${name})`.execute(db);
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
  for (const parts of byId.values()) {
    parts.sort((a, b) => a.seq - b.seq);
    const first = parts[0]!;
    const from = parts.map((p) => p.from);
    const to = parts.map((p) => p.to ?? '(primary key)');
    objects.push({
      kind: 'constraint',
      name: `${name}.foreign key(${from.join(', ')}) → ${first.table}(${to.join(', ')})`,
      table: name,
      properties: {
        type: 'foreign key',
        columns: from,
        references: first.table,
        referencedColumns: to,
        onDelete: first.on_delete.toLowerCase(),
        onUpdate: first.on_update.toLowerCase(),
        match: first.match.toLowerCase(),
      },
    });
  }
  for (const check of extractChecks(text)) {
    objects.push({
      kind: 'constraint',
      name: `${name}.${check.name ?? `check ${check.expression}`}`,
      table: name,
      properties: { type: 'check', definition: `CHECK ${check.expression}` },
    });
  }
  return objects;
}

async function createdIndex(db: AnyKysely, m: MasterRow): Promise<SchemaObject> {
  const { rows } =
    await sql<IndexListRow>`select * from pragma_index_list(${m.tbl_name}) where name = ${m.name}`.execute(
      db,
    );
  const definition = normalizeSql(m.sql ?? '');
  return {
    kind: 'index',
    name: m.name,
    table: m.tbl_name,
    properties: {
      unique: rows[0]?.unique === 1,
      columns: (await indexColumns(db, m.name)).join(', '),
      predicate: rows[0]?.partial === 1 ? topLevelWhere(definition) : null,
      definition,
    },
  };
}

/** Key columns of an index, `<expression>` for an expression, with DESC and non-default collations. */
async function indexColumns(db: AnyKysely, index: string): Promise<string[]> {
  const { rows } =
    await sql<IndexColumnRow>`select * from pragma_index_xinfo(${index}) where key = 1 order by seqno`.execute(
      db,
    );
  return rows.map(
    (r) =>
      `${r.name ?? '<expression>'}${r.coll && r.coll.toUpperCase() !== 'BINARY' ? ` COLLATE ${r.coll}` : ''}${r.desc ? ' DESC' : ''}`,
  );
}

/** Collapses whitespace outside quotes, so reformatting a file's SQL is not a difference. */
export function normalizeSql(text: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const close = QUOTES[ch];
    if (close) {
      const end = text.indexOf(close, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      if (space && out) out += ' ';
      space = false;
      out += text.slice(i, stop);
      i = stop - 1;
    } else if (/\s/.test(ch)) space = true;
    else {
      if (space && out) out += ' ';
      space = false;
      out += ch;
    }
  }
  return out;
}

const QUOTES: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };

/** The WHERE clause of a CREATE INDEX, i.e. its partial-index predicate. */
function topLevelWhere(definition: string): string | null {
  let depth = 0;
  for (let i = 0; i < definition.length; i++) {
    const ch = definition[i]!;
    const close = QUOTES[ch];
    if (close) {
      const end = definition.indexOf(close, i + 1);
      i = end < 0 ? definition.length : end;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (
      depth === 0 &&
      /^where\b/i.test(definition.slice(i, i + 6)) &&
      /\s/.test(definition[i - 1] ?? '')
    )
      return definition.slice(i + 5).trim();
  }
  return null;
}

/**
 * CHECK constraints from a CREATE TABLE text: `CHECK (expr)` anywhere in the
 * column list, with the name of a preceding `CONSTRAINT name`.
 */
export function extractChecks(createTable: string): { name: string | null; expression: string }[] {
  const text = normalizeSql(createTable);
  const checks: { name: string | null; expression: string }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const close = QUOTES[ch];
    if (close) {
      const end = text.indexOf(close, i + 1);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (!/^check\b/i.test(text.slice(i, i + 6)) || /[\w$]/.test(text[i - 1] ?? '')) continue;
    const open = text.indexOf('(', i + 5);
    if (open < 0 || text.slice(i + 5, open).trim() !== '') continue;
    const end = matchingParen(text, open);
    const named = /constraint\s+("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)\s*$/i.exec(text.slice(0, i));
    checks.push({ name: named?.[1] ?? null, expression: text.slice(open, end + 1) });
    i = end;
  }
  return checks;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    const close = QUOTES[ch];
    if (close) {
      const end = text.indexOf(close, i + 1);
      i = end < 0 ? text.length : end;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return text.length - 1;
}
