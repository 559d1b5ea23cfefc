import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { installSupabaseStandIn } from '../../src/dialects/postgres/supabase-stand-in.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { type SupabaseProject, supabaseProject } from './supabase-project.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function project(config: Record<string, unknown> = {}): SupabaseProject {
  const p = supabaseProject(config);
  cleanups.push(p.cleanup);
  return p;
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  cleanups.push(() => db.drop());
  return db;
}

/** A database prepared like a Supabase project: the stand-in, as a scratch database gets it. */
async function supabaseDatabase(): Promise<TestDatabase> {
  const db = await database();
  const open = await openDatabase({ dialect: 'postgres', url: db.url });
  try {
    await installSupabaseStandIn(open.db, 'test');
  } finally {
    await open.close();
  }
  return db;
}

const USER_A = '8c4a2f3e-0000-4000-8000-00000000000a';
const USER_B = '8c4a2f3e-0000-4000-8000-00000000000b';

describe('Supabase patterns: verify, drift, codegen and lint with platform: supabase', () => {
  it('verify (up, down, up) passes on the stand-in, and the scratch database then has every pattern working', async () => {
    const p = project({ platform: 'supabase' });
    // A database that may be reset: verify builds there, so its catalog can be read afterwards.
    const scratch = await database();
    const run = await p.cli(['--json', 'verify', '--dialect', 'postgres'], {
      KMIGRATE_SCRATCH_DATABASE_URL: scratch.url,
    });
    expect(run.stderr).not.toMatch(/error|hint/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, checked: 5, total: 5, findings: [] });

    // profiles.id references auth.users(id) on delete cascade.
    const fk = await scratch.query<{ def: string }>(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'public.profiles'::regclass and contype = 'f'`,
    );
    expect(fk).toEqual([{ def: 'FOREIGN KEY (id) REFERENCES auth.users(id) ON DELETE CASCADE' }]);
    // RLS on profiles with the guide's policies, for authenticated.
    const policies = await scratch.query<{ policyname: string; roles: string; qual: string | null }>(
      `select policyname, roles::text as roles, coalesce(qual, with_check) as qual from pg_policies where tablename = 'profiles' order by 1`,
    );
    expect(policies).toEqual([
      { policyname: 'Public profiles are viewable by everyone.', roles: '{public}', qual: 'true' },
      {
        policyname: 'Users can insert their own profile.',
        roles: '{authenticated}',
        qual: '(( SELECT auth.uid() AS uid) = id)',
      },
      {
        policyname: 'Users can update own profile.',
        roles: '{authenticated}',
        qual: '(( SELECT auth.uid() AS uid) = id)',
      },
    ]);
    // The security definer trigger on auth.users, policies on storage.objects, the bucket, the extension.
    expect(
      await scratch.query(
        `select tgname, tgrelid::regclass::text as on_table, p.prosecdef from pg_trigger t join pg_proc p on p.oid = t.tgfoid where not tgisinternal`,
      ),
    ).toEqual([{ tgname: 'on_auth_user_created', on_table: 'auth.users', prosecdef: true }]);
    expect(
      (
        await scratch.query<{ policyname: string }>(
          `select policyname from pg_policies where schemaname = 'storage' and tablename = 'objects' order by 1`,
        )
      ).map((r) => r.policyname),
    ).toEqual(['Avatar images are publicly accessible.', 'Users upload their own avatar.']);
    expect(await scratch.query(`select id, public from storage.buckets`)).toEqual([
      { id: 'avatars', public: true },
    ]);
    expect(
      await scratch.query(
        `select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_trgm'`,
      ),
    ).toEqual([{ schema: 'extensions' }]);

    // They behave as on Supabase: a sign-up gets a profile, RLS lets a user change only their own, deleting the user deletes it.
    await scratch.query(
      `insert into auth.users (id, email, raw_user_meta_data) values ('${USER_A}', 'a@example.com', '{"full_name": "Ada"}'), ('${USER_B}', 'b@example.com', '{}')`,
    );
    expect(await scratch.query(`select id, full_name from profiles order by id`)).toEqual([
      { id: USER_A, full_name: 'Ada' },
      { id: USER_B, full_name: null },
    ]);
    const open = await openDatabase({ dialect: 'postgres', url: scratch.url });
    cleanups.push(() => open.close());
    const updated = await open.db.transaction().execute(async (trx) => {
      await sql`set local role authenticated`.execute(trx);
      await sql`select set_config('request.jwt.claims', ${JSON.stringify({ sub: USER_A, role: 'authenticated' })}, true)`.execute(
        trx,
      );
      return (await sql<{ id: string }>`update profiles set username = 'mine' returning id`.execute(trx))
        .rows;
    });
    expect(updated).toEqual([{ id: USER_A }]);
    await scratch.query(`delete from auth.users where id = '${USER_A}'`);
    expect(await scratch.query(`select id from profiles`)).toEqual([{ id: USER_B }]);
  }, 120_000);

  it('the same set runs on SQLite in development: 001 builds profiles, 002-005 are recorded as PostgreSQL-only', async () => {
    const p = project({ platform: 'supabase' });
    const dev = await createTestDatabase('sqlite');
    cleanups.push(() => dev.drop());
    const latest = await p.cli(['--url', dev.url, '--json', 'latest']);
    expect(latest.code).toBe(0);
    const notes = (
      JSON.parse(latest.stdout) as { results: { version: number; note?: string }[] }
    ).results.map((r) => [r.version, r.note ?? null]);
    expect(notes).toEqual([
      [1, null],
      ...[2, 3, 4, 5].map((v) => [v, 'postgres only: recorded, not run, on sqlite']),
    ]);
    expect(
      (
        await dev.query<{ version: number; state: string }>('select version, state from schema_migrations')
      ).map((r) => [Number(r.version), r.state]),
    ).toEqual([1, 2, 3, 4, 5].map((v) => [v, 'applied']));
    expect(
      (await dev.query<{ name: string }>(`select name from pragma_table_info('profiles') order by cid`)).map(
        (c) => c.name,
      ),
    ).toEqual(['id', 'username', 'full_name', 'avatar_url', 'updated_at']);
    const verify = await p.cli(['--url', dev.url, '--json', 'verify']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 5, total: 5 });
  }, 120_000);

  it('without the setting: one hint line per migration, and the failure says to turn it on (exit 1)', async () => {
    const p = project();
    const run = await p.cli(['verify', '--dialect', 'postgres']);
    expect(run.code).toBe(1);
    const hints = run.stdout.split('\n').filter((l) => l.startsWith('hint: '));
    expect(hints.map((h) => h.split(' ')[1])).toEqual([
      '001_create_profiles.ts',
      '002_profiles_rls.up.sql',
      '003_handle_new_user.up.sql',
      '004_avatars.up.sql',
      '005_username_search.up.sql',
    ]);
    expect(hints[0]).toContain(
      "auth.users): set platform: 'supabase' in kysely.config.ts, or pass --platform supabase",
    );
    expect(run.stderr).toMatch(
      /^error: 001_create_profiles\.ts: migration 1_create_profiles failed on the scratch database \([^)]+\): schema "auth" does not exist; it uses what Supabase provides \(schema "auth"\): set platform: 'supabase'/,
    );
    // --platform supabase on the command line turns it on.
    const on = await p.cli(['--platform', 'supabase', '--json', 'verify', '--dialect', 'postgres']);
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ ok: true, checked: 5 });
  }, 120_000);

  it('drift: no drift on a database prepared like Supabase; a hand change in public is drift, one in auth is not', async () => {
    const live = await supabaseDatabase();
    const p = project({ platform: 'supabase', databaseUrl: live.url });
    const latest = await p.cli(['latest']);
    expect(latest.stderr).toBe('');
    expect(latest.code).toBe(0);
    expect(
      (await live.query<{ version: string }>('select version from schema_migrations order by 1')).map((r) =>
        Number(r.version),
      ),
    ).toEqual([1, 2, 3, 4, 5]);

    const clean = await p.cli(['--json', 'drift']);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ drift: false, appliedVersions: [1, 2, 3, 4, 5] });

    await live.query('alter table auth.users add column nickname text');
    expect((await p.cli(['drift'])).code).toBe(0);
    await live.query(`drop policy "Users can update own profile." on profiles`);
    const drift = await p.cli(['--json', 'drift']);
    expect(drift.code).toBe(3);
    expect(
      (
        JSON.parse(drift.stdout) as { differences: { change: string; kind: string; name: string }[] }
      ).differences.map((d) => `${d.change} ${d.kind} ${d.name}`),
    ).toEqual(['removed policy public.profiles.Users can update own profile.']);
  }, 120_000);

  it('codegen types profiles from the files alone, without the stand-in tables unless asked (auth.users for joins)', async () => {
    const p = project({ platform: 'supabase' });
    const run = await p.cli(['codegen']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const types = p.read()!;
    expect(types).toMatch(
      /export interface Profiles \{\n {2}avatar_url: string \| null;\n {2}full_name: string \| null;\n {2}id: string;\n {2}updated_at: Timestamp \| null;\n {2}username: string \| null;\n\}/,
    );
    expect(types).toContain('  profiles: Profiles;');
    expect(types).not.toMatch(/AuthUsers|StorageObjects|"auth\.|"storage\./);
    expect((await p.cli(['codegen', '--check', '--full'])).code).toBe(0);

    const joins = project({ platform: 'supabase', codegen: { platformTables: ['auth.users'] } });
    expect((await joins.cli(['codegen'])).code).toBe(0);
    const withUsers = joins.read()!;
    expect(withUsers).toContain('  "auth.users": AuthUsers;');
    expect(withUsers).toMatch(
      /export interface AuthUsers \{[^}]*\n {2}email: string \| null;[^}]*\n {2}id: string;/,
    );
    expect(withUsers).not.toMatch(/StorageObjects/);
    // The setting is part of the fingerprint: turning it on or asking for a table regenerates.
    expect(withUsers.match(/fingerprint[^\n]*/)?.[0]).not.toBe(types.match(/fingerprint[^\n]*/)?.[0]);
  }, 120_000);

  it('lint: an index on auth.users is on an existing table, even when the set created a table named users', async () => {
    const p = project({ platform: 'supabase' });
    fs.writeFileSync(
      path.join(p.migrations, '006_users.up.sql'),
      'create table users (id bigint primary key, email text);\ncreate index users_email_idx on users (email);\n',
    );
    fs.writeFileSync(
      path.join(p.migrations, '007_auth_users_email.up.sql'),
      '-- auth.users holds every sign-up already\ncreate index auth_users_email_idx on auth.users (email);\n',
    );
    const run = await p.cli(['--json', 'lint', '--all']);
    const report = JSON.parse(run.stdout) as { findings: { file: string; line: number; rule: string }[] };
    expect(
      report.findings
        .filter((f) => f.rule === 'require-concurrent-index-creation')
        .map((f) => `${f.file}:${f.line}`),
    ).toEqual(['migrations/007_auth_users_email.up.sql:2']);
    expect(run.code).toBe(3);
  }, 120_000);
});
