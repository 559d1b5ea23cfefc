import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchemaDifference } from '../../src/engine/schema-diff.ts';
import { migrateToLatest } from '../../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, trackingRows } from '../support/migration-folder.ts';
import { ensureSupabaseRoles } from '../support/supabase-shape.ts';
import {
  CREATE_ITEMS_TS,
  cli,
  plain,
  qualified,
  scratchDatabaseExists,
  scratchNameIn,
  secondMigration,
  tableNames,
} from './fixtures.ts';

interface DriftJson {
  drift: boolean;
  schemas: string[];
  appliedVersions: number[];
  differences: SchemaDifference[];
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const folderFor = migrationFolders();

/** The standard two migrations, applied with `latest`. */
async function migrated(database: TestDatabase): Promise<string> {
  if (database.dialect === 'postgres') await ensureSupabaseRoles(database);
  const dir = folderFor({ '001_create_items.ts': CREATE_ITEMS_TS, ...secondMigration(database.dialect) });
  await migrateToLatest(database.url, { config: { migrationsDir: dir } });
  return dir;
}

function find(differences: SchemaDifference[], change: string, kind: string, name: string) {
  return differences.find((d) => d.change === change && d.kind === kind && d.name === name);
}

describeEachDialect('drift', (ctx) => {
  it('is silent right after latest (exit 0), in text and in --json', async () => {
    const dir = await migrated(ctx.database);
    // --verbose logs every SQL statement on stderr (`sql (N ms): …`), and nothing else: no error, warning or hint.
    const text = await cli(ctx.database, dir, ['drift', '--verbose']);
    expect(text.stderr).not.toMatch(/^(error|warning|hint)\b/m);
    expect(text.code).toBe(0);
    expect(plain(text.stdout)).toMatch(/No drift: .* matches what its 2 applied migrations build\./);

    const json = await cli(ctx.database, dir, ['--json', 'drift']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DriftJson;
    expect(report).toMatchObject({ drift: false, appliedVersions: [1, 2], differences: [] });
    expect(report.schemas).toEqual([ctx.dialect === 'postgres' ? 'public' : 'main']);

    // drift only read the database: its history is as latest left it.
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    if (ctx.dialect === 'postgres') {
      // The scratch database was created next to the live one, and dropped.
      const scratch = scratchNameIn(text.stdout);
      expect(scratch).toBeDefined();
      expect(await scratchDatabaseExists(ctx.database, scratch!)).toBe(false);
    }
  });

  it('reports a column, an index and (PostgreSQL) a policy added by hand, exit 3', async () => {
    const dir = await migrated(ctx.database);
    await ctx.database.query('alter table items add column note text');
    await ctx.database.query('create index items_note_idx on items (note)');
    if (ctx.dialect === 'postgres')
      await ctx.database.query(
        'create policy hand_made on items for insert to authenticated with check (owner_id is not null)',
      );

    const json = await cli(ctx.database, dir, ['--json', 'drift']);
    expect(json.code).toBe(3);
    const { differences, drift } = JSON.parse(json.stdout) as DriftJson;
    expect(drift).toBe(true);
    const q = (n: string) => qualified(ctx.dialect, n);
    expect(find(differences, 'added', 'column', q('items.note'))?.properties).toMatchObject({
      type: 'text',
      nullable: true,
    });
    expect(find(differences, 'added', 'index', q('items_note_idx'))?.properties).toMatchObject({
      unique: false,
      columns: 'note',
    });
    if (ctx.dialect === 'postgres') {
      expect(find(differences, 'added', 'policy', 'public.items.hand_made')?.properties).toMatchObject({
        command: 'insert',
        roles: ['authenticated'],
        withCheck: '(owner_id IS NOT NULL)',
      });
    }
    expect(differences).toHaveLength(ctx.dialect === 'postgres' ? 3 : 2);

    const text = await cli(ctx.database, dir, ['drift']);
    expect(text.code).toBe(3);
    const out = plain(text.stdout);
    expect(out).toContain(`${differences.length} differences`);
    expect(out).toContain(`+ column ${q('items.note')}: type=text, nullable=true`);
    expect(out).toContain(`+ index ${q('items_note_idx')} on ${q('items')}`);
    if (ctx.dialect === 'postgres') expect(out).toContain('+ policy public.items.hand_made: command=insert');

    // Nothing was "fixed": the hand-made column is still there.
    const columns =
      ctx.dialect === 'postgres'
        ? await ctx.database.query<{ name: string }>(
            `select column_name as name from information_schema.columns where table_name = 'items' and column_name = 'note'`,
          )
        : await ctx.database.query<{ name: string }>(
            `select name from pragma_table_info('items') where name = 'note'`,
          );
    expect(columns).toHaveLength(1);
  });

  it('reports removed and changed objects with before → after', async () => {
    const dir = await migrated(ctx.database);
    await ctx.database.query('drop index items_label_idx');
    await ctx.database.query('drop view item_labels');
    if (ctx.dialect === 'postgres') {
      await ctx.database.query('alter table items alter column label drop not null');
      await ctx.database.query(`alter type mood add value 'meh' before 'ok'`);
      await ctx.database.query('alter table items disable row level security');
      await ctx.database.query(
        'alter table items drop constraint items_owner_fk, add constraint items_owner_fk foreign key (owner_id) references owners (id) on delete set null',
      );
      await ctx.database.query(
        'create or replace function touch() returns trigger language plpgsql as $$ begin return new; end $$',
      );
    }
    const json = await cli(ctx.database, dir, ['--json', 'drift']);
    expect(json.code).toBe(3);
    const { differences } = JSON.parse(json.stdout) as DriftJson;
    const q = (n: string) => qualified(ctx.dialect, n);
    expect(find(differences, 'removed', 'index', q('items_label_idx'))).toBeDefined();
    expect(find(differences, 'removed', 'view', q('item_labels'))).toBeDefined();
    if (ctx.dialect === 'postgres') {
      expect(find(differences, 'changed', 'column', 'public.items.label')?.changes).toEqual([
        { property: 'nullable', before: false, after: true },
      ]);
      expect(find(differences, 'changed', 'enum', 'public.mood')?.changes).toEqual([
        { property: 'labels', before: ['sad', 'ok', 'happy'], after: ['sad', 'meh', 'ok', 'happy'] },
      ]);
      expect(find(differences, 'changed', 'table', 'public.items')?.changes).toEqual([
        { property: 'rowLevelSecurity', before: true, after: false },
      ]);
      const fk = find(differences, 'changed', 'constraint', 'public.items.items_owner_fk');
      expect(fk?.changes).toContainEqual({ property: 'onDelete', before: 'cascade', after: 'set null' });
      expect(find(differences, 'changed', 'function', 'public.touch()')?.changes?.[0]?.property).toBe('body');
      const out = plain((await cli(ctx.database, dir, ['drift'])).stdout);
      expect(out).toContain('~ column public.items.label: nullable false → true');
      expect(out).toContain('~ enum public.mood: labels [sad, ok, happy] → [sad, meh, ok, happy]');
      expect(out).toContain('~ table public.items: rowLevelSecurity true → false');
    }
  });

  it('builds exactly the applied versions, also when they were applied out of order', async () => {
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      '003_third.up.sql': 'create table third (id integer primary key);\n',
      '003_third.down.sql': 'drop table third;\n',
    });
    await migrateToLatest(ctx.database.url, { config: { migrationsDir: dir } });
    // A merged branch brings 002, older than the applied 003, and it is applied out of order.
    fs.writeFileSync(path.join(dir, '002_second.up.sql'), 'create table second (id integer primary key);\n');
    fs.writeFileSync(path.join(dir, '002_second.down.sql'), 'drop table second;\n');
    await migrateToLatest(ctx.database.url, { config: { migrationsDir: dir }, allowOutOfOrder: true });
    // And 004 exists but is pending: drift must not build it.
    fs.writeFileSync(path.join(dir, '004_fourth.up.sql'), 'create table fourth (id integer primary key);\n');

    const json = await cli(ctx.database, dir, ['--json', 'drift']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ drift: false, appliedVersions: [1, 2, 3] });
  });

  it('on a database never migrated, reports its tables as only in the database', async () => {
    const dir = folderFor({ '001_create_items.ts': CREATE_ITEMS_TS });
    await ctx.database.query('create table legacy (id integer primary key, name text)');
    const json = await cli(ctx.database, dir, ['--json', 'drift']);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as DriftJson;
    expect(report.appliedVersions).toEqual([]);
    expect(report.differences.map((d) => `${d.change} ${d.kind} ${d.name}`)).toEqual([
      `added table ${qualified(ctx.dialect, 'legacy')}`,
    ]);
    expect(report.differences[0]!.contains?.map((d) => d.name)).toEqual([
      qualified(ctx.dialect, 'legacy.id'),
      qualified(ctx.dialect, 'legacy.name'),
      ctx.dialect === 'postgres' ? 'public.legacy.legacy_pkey' : 'legacy.primary key',
    ]);
    // drift created no tracking table on the live database.
    expect(await tableNames(ctx.database)).toEqual(['legacy']);
  });

  it('refuses a history whose applied file was edited (exit 4), before building anything', async () => {
    const dir = await migrated(ctx.database);
    fs.appendFileSync(path.join(dir, '002_owners_and_more.up.sql'), '-- edited after it was applied\n');
    const run = await cli(ctx.database, dir, ['drift']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/changed since applied: 2_owners_and_more/);
  });
});

describe('drift on PostgreSQL: schemas and the scratch database', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
  });

  it('compares --schema public,app; the config schema (public) alone by default', async () => {
    const dir = folderFor({
      '001_app.up.sql': 'create schema app;\ncreate table app.things (id integer primary key);\n',
      '001_app.down.sql': 'drop schema app cascade;\n',
    });
    await migrateToLatest(database.url, { config: { migrationsDir: dir } });
    await database.query('alter table app.things add column extra text');

    expect((await cli(database, dir, ['drift'])).code).toBe(0);
    const json = await cli(database, dir, ['--json', 'drift', '--schema', 'public,app']);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as DriftJson;
    expect(report.schemas).toEqual(['app', 'public']);
    expect(report.differences.map((d) => `${d.change} ${d.kind} ${d.name}`)).toEqual([
      'added column app.things.extra',
    ]);

    const refused = await cli(database, dir, ['drift', '--schema', 'public,auth']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/auth is managed by Supabase\/PostgreSQL and is never compared/);
  });

  it('fails with exit 1 naming KMIGRATE_SCRATCH_DATABASE_URL when CREATE DATABASE is not permitted, and uses that database when set', async () => {
    const dir = await migrated(database);
    const role = `kmt_nocreatedb_${Math.random().toString(16).slice(2, 10)}`;
    await database.query(`create role ${role} login password 'pw' nocreatedb`);
    await database.query(
      `grant usage on schema public to ${role}; grant select on all tables in schema public to ${role}`,
    );
    // Roles are cluster-wide: drop it (its grants first) before its database goes.
    cleanups.push(async () => {
      await database.query(`drop owned by ${role}; drop role ${role}`);
    });
    const limitedUrl = new URL(database.url);
    limitedUrl.username = role;
    limitedUrl.password = 'pw';
    const limited = { url: limitedUrl.toString() };

    const refused = await cli(limited, dir, ['drift']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /cannot create a scratch database on 127\.0\.0\.1:\d+|cannot create a scratch database on [^:]+:\d+/,
    );
    expect(refused.stderr).toContain('permission denied to create database');
    expect(refused.stderr).toContain('KMIGRATE_SCRATCH_DATABASE_URL');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).not.toContain(':pw@');

    // A prepared scratch database: leftovers in public are reset, other schemas kept.
    const scratch = await createTestDatabase('postgres');
    cleanups.push(() => scratch.drop());
    await ensureSupabaseRoles(scratch);
    await scratch.query(
      'create table public.leftover (id int); create schema auth; create table auth.users (id uuid)',
    );
    const ok = await cli(limited, dir, ['drift'], { KMIGRATE_SCRATCH_DATABASE_URL: scratch.url });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const publicTables = await scratch.query<{ t: string }>(
      `select tablename as t from pg_tables where schemaname = 'public' order by 1`,
    );
    expect(publicTables.map((r) => r.t)).toEqual([
      'items',
      'owners',
      'schema_migrations',
      'schema_migrations_history',
    ]);
    expect(
      await scratch.query(`select 1 from pg_tables where schemaname = 'auth' and tablename = 'users'`),
    ).toHaveLength(1);

    // It must never be the database being checked.
    const same = await cli(database, dir, ['drift'], { KMIGRATE_SCRATCH_DATABASE_URL: database.url });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/KMIGRATE_SCRATCH_DATABASE_URL.*names the database being checked/);
    expect(await database.query(`select 1 from pg_tables where tablename = 'items'`)).toHaveLength(1);
  });
});
