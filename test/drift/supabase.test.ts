import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchemaDifference } from '../../src/engine/schema-diff.ts';
import { migrateToLatest } from '../../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { writeMigrationFolder } from '../support/migration-folder.ts';
import { applySupabaseShape, SUPABASE_SHAPE_SCHEMAS } from '../support/supabase-shape.ts';
import { CREATE_ITEMS_TS, cli, plain, secondMigration } from './fixtures.ts';

describe('drift on a database shaped like a Supabase project', () => {
  let database: TestDatabase;
  const cleanups: (() => void | Promise<void>)[] = [];
  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('leaves auth, storage, extensions and supabase_migrations out, even after hand changes there', async () => {
    await applySupabaseShape(database);
    const folder = writeMigrationFolder({
      '001_create_items.ts': CREATE_ITEMS_TS,
      ...secondMigration('postgres'),
      // Our migrations may point at Supabase's objects through roles and auth.uid().
      '003_own_items.up.sql': `create policy items_own on items for update to authenticated using (owner_id is not null);\n`,
      '003_own_items.down.sql': 'drop policy items_own on items;\n',
    });
    cleanups.push(folder.cleanup);
    // Supabase sets the search_path per database; the scratch database does not have it.
    const name = new URL(database.url).pathname.slice(1);
    await database.query(`alter database ${name} set search_path to "$user", public, extensions`);
    await migrateToLatest(database.url, { config: { migrationsDir: folder.dir } });

    // The managed schemas are really there, with tables, functions, a policy and the Supabase history.
    const schemas = await database.query<{ n: string }>(
      `select nspname as n from pg_namespace where nspname = any(array['${SUPABASE_SHAPE_SCHEMAS.join("','")}']) order by 1`,
    );
    expect(schemas.map((s) => s.n)).toEqual([...SUPABASE_SHAPE_SCHEMAS].sort());
    expect(await database.query(`select 1 from pg_policies where schemaname = 'storage'`)).toHaveLength(1);
    expect(await database.query('select version from supabase_migrations.schema_migrations')).toHaveLength(2);
    expect(await database.query(`select 1 from pg_proc where proname = 'uid'`)).toHaveLength(1);
    const roles = await database.query<{ r: string }>(
      `select rolname as r from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by 1`,
    );
    expect(roles.map((r) => r.r)).toEqual(['anon', 'authenticated', 'service_role']);

    const clean = await cli(database, folder.dir, ['--json', 'drift']);
    // 002 and 003 write policies for Supabase's authenticated role with no platform configured:
    // one hint line each (on stderr under --json); they still build, the roles being cluster-wide.
    expect(
      clean.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[1]),
    ).toEqual(['002_owners_and_more.up.sql', '003_own_items.up.sql']);
    expect(clean.stderr).toMatch(
      /^hint: \S+ uses what Supabase provides \(role authenticated\): set platform: 'supabase'/,
    );
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ drift: false, schemas: ['public'], differences: [] });

    // Supabase upgrades change its own schemas; that is not drift.
    await database.query('alter table auth.users add column phone text');
    await database.query('create index objects_name_idx on storage.objects (name)');
    await database.query('create policy "anyone lists buckets" on storage.buckets for select using (true)');
    await database.query('create function extensions.another() returns int language sql as $$ select 1 $$');
    await database.query(
      `insert into supabase_migrations.schema_migrations values ('20250101000000', '{}', 'x')`,
    );
    const stillClean = await cli(database, folder.dir, ['drift']);
    expect(stillClean.code).toBe(0);
    expect(plain(stillClean.stdout)).toContain('No drift');

    // A change in public is still seen.
    await database.query('drop policy items_own on items');
    const json = await cli(database, folder.dir, ['--json', 'drift']);
    expect(json.code).toBe(3);
    const { differences } = JSON.parse(json.stdout) as { differences: SchemaDifference[] };
    expect(differences.map((d) => `${d.change} ${d.kind} ${d.name}`)).toEqual([
      'removed policy public.items.items_own',
    ]);
  });

  it('explains a migration that needs auth.users (exit 1), and builds it on a prepared KMIGRATE_SCRATCH_DATABASE_URL', async () => {
    await applySupabaseShape(database);
    const folder = writeMigrationFolder({
      '001_profiles.up.sql':
        'create table profiles (id uuid primary key references auth.users (id) on delete cascade, username text);\n',
      '001_profiles.down.sql': 'drop table profiles;\n',
    });
    cleanups.push(folder.cleanup);
    await migrateToLatest(database.url, { config: { migrationsDir: folder.dir } });

    // A new database next to it has no auth schema: the rebuild cannot work, and says why.
    const failed = await cli(database, folder.dir, ['drift']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /001_profiles\.up\.sql(:1)?: migration 1_profiles failed on the scratch database \(scratch database kmigrate_scratch_\w+ on [^)]+\): schema "auth" does not exist; it uses what Supabase provides \(schema "auth"\): set platform: 'supabase' in kysely\.config\.ts, or pass --platform supabase/,
    );

    const scratch = await createTestDatabase('postgres');
    cleanups.push(() => scratch.drop());
    await applySupabaseShape(scratch, { history: [] });
    const json = await cli(database, folder.dir, ['--json', 'drift'], {
      KMIGRATE_SCRATCH_DATABASE_URL: scratch.url,
    });
    expect(json.stderr).toMatch(/^hint: 001_profiles\.up\.sql uses what Supabase provides \(auth\.users\)/);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { drift: boolean };
    expect(report.drift).toBe(false);
    // The prepared database kept Supabase's schemas and now holds the rebuilt migration.
    expect(
      await scratch.query(`select 1 from pg_tables where schemaname = 'public' and tablename = 'profiles'`),
    ).toHaveLength(1);
    expect(
      await scratch.query(`select 1 from pg_tables where schemaname = 'auth' and tablename = 'users'`),
    ).toHaveLength(1);
  });
});
