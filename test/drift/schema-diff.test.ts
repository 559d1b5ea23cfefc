import { describe, expect, it } from 'vitest';
import { isManagedSchema, MANAGED_SCHEMAS } from '../../src/dialects/postgres/managed-schemas.ts';
import { indexDefinitionParts } from '../../src/dialects/postgres/postgres-schema-snapshot.ts';
import { extractChecks, normalizeSql } from '../../src/dialects/sqlite/sqlite-schema-snapshot.ts';
import { diffSnapshots, formatDifference } from '../../src/engine/schema-diff.ts';
import { createSnapshot, type SchemaObject } from '../../src/engine/schema-snapshot.ts';

const table = (name: string, rls = false): SchemaObject => ({
  kind: 'table',
  name,
  properties: { rowLevelSecurity: rls },
});
const column = (tableName: string, name: string, type = 'text', nullable = true): SchemaObject => ({
  kind: 'column',
  name: `${tableName}.${name}`,
  table: tableName,
  properties: { type, nullable, default: null },
});
const index = (name: string, tableName: string, columns: string): SchemaObject => ({
  kind: 'index',
  name,
  table: tableName,
  properties: { unique: false, method: 'btree', columns, predicate: null },
});

const snap = (...objects: SchemaObject[]) => createSnapshot('postgres', ['public'], objects);

describe('schema-diff (pure)', () => {
  it('two snapshots of the same objects in any order are equal', () => {
    const a = snap(
      table('public.items'),
      column('public.items', 'id', 'integer'),
      index('public.ix', 'public.items', 'id'),
    );
    const b = snap(
      index('public.ix', 'public.items', 'id'),
      column('public.items', 'id', 'integer'),
      table('public.items'),
    );
    expect(a).toEqual(b);
    expect(diffSnapshots(a, b)).toEqual([]);
  });

  it('reports added, removed and changed objects, sorted by kind then name', () => {
    const expected = snap(
      table('public.items'),
      column('public.items', 'label', 'text', true),
      index('public.items_old_idx', 'public.items', 'label'),
    );
    const actual = snap(
      table('public.items', true),
      column('public.items', 'label', 'character varying(20)', false),
      column('public.items', 'note'),
      index('public.items_note_idx', 'public.items', 'note'),
    );
    const diff = diffSnapshots(expected, actual);
    expect(diff.map((d) => [d.change, d.kind, d.name])).toEqual([
      ['changed', 'table', 'public.items'],
      ['changed', 'column', 'public.items.label'],
      ['added', 'column', 'public.items.note'],
      ['added', 'index', 'public.items_note_idx'],
      ['removed', 'index', 'public.items_old_idx'],
    ]);
    expect(diff[1]!.changes).toEqual([
      { property: 'type', before: 'text', after: 'character varying(20)' },
      { property: 'nullable', before: true, after: false },
    ]);
    expect(diff[0]!.changes).toEqual([{ property: 'rowLevelSecurity', before: false, after: true }]);
  });

  it('treats absent and null properties as equal and compares arrays by value (enum label order matters)', () => {
    const enumOf = (labels: string[], extra: Record<string, null> = {}): SchemaObject => ({
      kind: 'enum',
      name: 'public.mood',
      properties: { labels, ...extra },
    });
    expect(diffSnapshots(snap(enumOf(['a', 'b'])), snap(enumOf(['a', 'b'], { comment: null })))).toEqual([]);
    const reordered = diffSnapshots(snap(enumOf(['a', 'b'])), snap(enumOf(['b', 'a'])));
    expect(reordered).toHaveLength(1);
    expect(reordered[0]!.changes).toEqual([{ property: 'labels', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  it('folds the columns and indexes of an added table into that table', () => {
    const diff = diffSnapshots(
      snap(),
      snap(
        table('public.notes'),
        column('public.notes', 'id'),
        index('public.notes_idx', 'public.notes', 'id'),
      ),
    );
    expect(diff).toHaveLength(1);
    expect(diff[0]).toMatchObject({ change: 'added', kind: 'table', name: 'public.notes' });
    expect(diff[0]!.contains?.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'column public.notes.id',
      'index public.notes_idx',
    ]);
    // An index added to an existing table is not folded anywhere.
    const alone = diffSnapshots(
      snap(table('public.t')),
      snap(table('public.t'), index('public.i', 'public.t', 'x')),
    );
    expect(alone.map((d) => d.kind)).toEqual(['index']);
  });

  it('formats each difference on one readable line with before → after', () => {
    const [changed] = diffSnapshots(
      snap(column('public.items', 'label', 'text', true)),
      snap(column('public.items', 'label', 'text', false)),
    );
    expect(formatDifference(changed!)).toBe('~ column public.items.label: nullable true → false');
    const [added] = diffSnapshots(snap(), snap(index('public.items_note_idx', 'public.items', 'note')));
    expect(
      formatDifference(added!, { added: 'only in the database', removed: 'only in the migrations' }),
    ).toBe(
      '+ index public.items_note_idx on public.items (only in the database): method=btree, columns=note',
    );
    const [removed] = diffSnapshots(snap(index('ix', 'items', 'a')), snap());
    expect(formatDifference(removed!)).toMatch(/^- index ix on items: /);
    const [body] = diffSnapshots(
      snap({ kind: 'function', name: 'public.f()', properties: { bodySha256: 'a'.repeat(64) } }),
      snap({ kind: 'function', name: 'public.f()', properties: { bodySha256: 'b'.repeat(64) } }),
    );
    expect(formatDifference(body!)).toBe(
      `~ function public.f(): bodySha256 ${'a'.repeat(12)}… → ${'b'.repeat(12)}…`,
    );
    const long = 'x'.repeat(500);
    const [view] = diffSnapshots(
      snap({ kind: 'view', name: 'v', properties: { definition: 'select 1' } }),
      snap({ kind: 'view', name: 'v', properties: { definition: long } }),
    );
    // A long or multi-line definition is a line diff, whole, never truncated.
    expect(formatDifference(view!).split('\n')).toEqual([
      '~ view v: definition changed:',
      '    - select 1',
      `    + ${long}`,
    ]);
    const [multi] = diffSnapshots(
      snap({ kind: 'view', name: 'v', properties: { definition: 'SELECT a,\n    b\n   FROM t;' } }),
      snap({ kind: 'view', name: 'v', properties: { definition: 'SELECT a,\n    c\n   FROM t;' } }),
    );
    expect(formatDifference(multi!).split('\n')).toEqual([
      '~ view v: definition changed:',
      '    -     b',
      '    +     c',
    ]);
  });

  it('knows the Supabase-managed schemas', () => {
    for (const s of [
      'auth',
      'storage',
      'extensions',
      'supabase_migrations',
      'pg_catalog',
      'pg_toast',
      'information_schema',
    ])
      expect(isManagedSchema(s)).toBe(true);
    expect(MANAGED_SCHEMAS).toContain('_supavisor');
    expect(isManagedSchema('public')).toBe(false);
    expect(isManagedSchema('app')).toBe(false);
  });
});

describe('catalog text parsing (pure)', () => {
  it('splits a PostgreSQL index definition into key columns and INCLUDE', () => {
    expect(
      indexDefinitionParts(
        'CREATE INDEX ti ON public.t USING btree (a DESC NULLS LAST, lower(b)) INCLUDE (c) WHERE (a > 0)',
        'btree',
      ),
    ).toEqual({ columns: 'a DESC NULLS LAST, lower(b)', include: 'c', nullsNotDistinct: false });
    expect(
      indexDefinitionParts('CREATE UNIQUE INDEX u ON public.t USING btree (a) NULLS NOT DISTINCT', 'btree'),
    ).toEqual({ columns: 'a', include: null, nullsNotDistinct: true });
  });

  it('collapses whitespace outside SQLite string literals', () => {
    expect(normalizeSql("CREATE  VIEW v\n  AS select 'a   b'  from t")).toBe(
      "CREATE VIEW v AS select 'a   b' from t",
    );
  });

  it('finds CHECK constraints in a CREATE TABLE, named or not, ignoring the word inside strings', () => {
    expect(
      extractChecks(
        `create table a (id integer check (id > 0), note text default 'check (no)', constraint "label ok" CHECK(length(note) < (10 + 1)))`,
      ),
    ).toEqual([
      { name: null, expression: '(id > 0)' },
      { name: '"label ok"', expression: '(length(note) < (10 + 1))' },
    ]);
  });
});
