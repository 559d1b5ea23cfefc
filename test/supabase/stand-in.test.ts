import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { SUPABASE_ROLE_NAMES } from '../../src/config/platform.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { startEmbeddedPostgres } from '../../src/dialects/postgres/embedded-server.ts';
import {
  installSupabaseStandIn,
  STAND_IN_MARKER,
  STAND_IN_SCHEMAS,
} from '../../src/dialects/postgres/supabase-stand-in.ts';
import { openScratchDatabase } from '../../src/dialects/scratch-database.ts';
import type { AnyKysely } from '../../src/engine/any-kysely.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rows<T>(db: AnyKysely, query: string): Promise<T[]> {
  return (await sql.raw<T>(query).execute(db)).rows;
}

/** auth.users as supabase/auth's migrations leave it, in column order. */
const AUTH_USERS_COLUMNS = [
  'instance_id uuid',
  'id uuid not null',
  'aud character varying',
  'role character varying',
  'email character varying',
  'encrypted_password character varying',
  'email_confirmed_at timestamp with time zone',
  'invited_at timestamp with time zone',
  'confirmation_token character varying',
  'confirmation_sent_at timestamp with time zone',
  'recovery_token character varying',
  'recovery_sent_at timestamp with time zone',
  'email_change_token_new character varying',
  'email_change character varying',
  'email_change_sent_at timestamp with time zone',
  'last_sign_in_at timestamp with time zone',
  'raw_app_meta_data jsonb',
  'raw_user_meta_data jsonb',
  'is_super_admin boolean',
  'created_at timestamp with time zone',
  'updated_at timestamp with time zone',
  'phone text',
  'phone_confirmed_at timestamp with time zone',
  'phone_change text',
  'phone_change_token character varying',
  'phone_change_sent_at timestamp with time zone',
  'confirmed_at timestamp with time zone',
  'email_change_token_current character varying',
  'email_change_confirm_status smallint',
  'banned_until timestamp with time zone',
  'reauthentication_token character varying',
  'reauthentication_sent_at timestamp with time zone',
  'is_sso_user boolean not null',
  'deleted_at timestamp with time zone',
  'is_anonymous boolean not null',
];

async function columns(db: AnyKysely, table: string): Promise<string[]> {
  const list = await rows<{ c: string }>(
    db,
    `select attname || ' ' || format_type(atttypid, null) || case when attnotnull then ' not null' else '' end as c
       from pg_attribute where attrelid = '${table}'::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  return list.map((r) => r.c);
}

describe('the Supabase stand-in on a scratch database', () => {
  it('has the roles, schemas, auth.users and storage tables with their keys, and auth.uid/role/jwt reading the claims', async () => {
    const scratch = await openScratchDatabase({
      dialect: 'postgres',
      env: { KMIGRATE_CODEGEN_DATABASE_URL: inject('pgAdminUrl') },
      resetSchemas: [],
      platform: 'supabase',
    });
    const name = (await rows<{ d: string }>(scratch.db, 'select current_database() as d'))[0]!.d;
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await scratch.close();
    });
    expect(scratch.label).toMatch(/with the Supabase stand-in v1$/);
    const db = scratch.db;

    const roles = await rows<{ rolname: string; rolbypassrls: boolean }>(
      db,
      `select rolname, rolbypassrls from pg_roles where rolname = any(array['${SUPABASE_ROLE_NAMES.join("','")}']) order by 1`,
    );
    expect(roles.map((r) => r.rolname)).toEqual([...SUPABASE_ROLE_NAMES].sort());
    expect(roles.find((r) => r.rolname === 'service_role')!.rolbypassrls).toBe(true);
    const members = await rows<{ r: string }>(
      db,
      `select r.rolname as r from pg_auth_members m join pg_roles r on r.oid = m.roleid
         join pg_roles u on u.oid = m.member where u.rolname = 'authenticator' order by 1`,
    );
    expect(members.map((m) => m.r)).toEqual(
      expect.arrayContaining(['anon', 'authenticated', 'service_role']),
    );

    const schemas = await rows<{ n: string }>(
      db,
      `select nspname as n from pg_namespace where nspname = any(array['${STAND_IN_SCHEMAS.join("','")}']) order by 1`,
    );
    expect(schemas.map((s) => s.n)).toEqual([...STAND_IN_SCHEMAS].sort());
    expect(
      (await rows<{ c: string }>(db, `select obj_description('auth'::regnamespace, 'pg_namespace') as c`))[0]!
        .c,
    ).toBe(STAND_IN_MARKER);
    const extensions = await rows<{ e: string; s: string }>(
      db,
      `select extname as e, extnamespace::regnamespace::text as s from pg_extension where extname <> 'plpgsql' order by 1`,
    );
    expect(extensions).toEqual([
      { e: 'pgcrypto', s: 'extensions' },
      { e: 'uuid-ossp', s: 'extensions' },
    ]);

    expect(await columns(db, 'auth.users')).toEqual(AUTH_USERS_COLUMNS);
    const keys = await rows<{ k: string }>(
      db,
      `select conname || ' ' || pg_get_constraintdef(oid) as k from pg_constraint
        where conrelid in ('auth.users'::regclass, 'storage.objects'::regclass, 'storage.buckets'::regclass) order by 1`,
    );
    expect(keys.map((k) => k.k)).toEqual([
      'buckets_pkey PRIMARY KEY (id)',
      'objects_bucketId_fkey FOREIGN KEY (bucket_id) REFERENCES storage.buckets(id)',
      'objects_pkey PRIMARY KEY (id)',
      'users_email_change_confirm_status_check CHECK (((email_change_confirm_status >= 0) AND (email_change_confirm_status <= 2)))',
      'users_phone_key UNIQUE (phone)',
      'users_pkey PRIMARY KEY (id)',
    ]);
    expect(await columns(db, 'storage.objects')).toEqual([
      'id uuid not null',
      'bucket_id text',
      'name text',
      'owner uuid',
      'created_at timestamp with time zone',
      'updated_at timestamp with time zone',
      'last_accessed_at timestamp with time zone',
      'metadata jsonb',
      'path_tokens text[]',
      'version text',
      'owner_id text',
      'user_metadata jsonb',
    ]);
    expect((await columns(db, 'storage.buckets')).map((c) => c.split(' ')[0])).toEqual([
      'id',
      'name',
      'owner',
      'created_at',
      'updated_at',
      'public',
      'avif_autodetection',
      'file_size_limit',
      'allowed_mime_types',
      'owner_id',
      'type',
    ]);
    const rls = await rows<{ t: string }>(
      db,
      `select oid::regclass::text as t from pg_class where relrowsecurity and relnamespace in ('auth'::regnamespace, 'storage'::regnamespace) order by 1`,
    );
    expect(rls.map((r) => r.t)).toEqual(['auth.users', 'storage.buckets', 'storage.objects']);
    const unique = await rows<{ i: string }>(
      db,
      `select indexrelid::regclass::text as i from pg_index where indisunique and not indisprimary
        and indrelid in ('auth.users'::regclass, 'storage.objects'::regclass, 'storage.buckets'::regclass) order by 1`,
    );
    expect(unique.map((u) => u.i)).toEqual([
      'auth.users_email_partial_key',
      'auth.users_phone_key',
      'storage.bname',
      'storage.bucketid_objname',
    ]);

    // The claims as PostgREST sets them (request.jwt.claims), and the older one-setting-per-claim form.
    const claims = await db.transaction().execute(async (trx) => {
      await sql`select set_config('request.jwt.claims', ${JSON.stringify({ sub: '8c4a2f3e-0000-4000-8000-000000000001', role: 'authenticated', email: 'a@example.com' })}, true)`.execute(
        trx,
      );
      return (
        await sql<{ uid: string; role: string; email: string; jwt: { email: string } }>`
          select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt`.execute(
          trx,
        )
      ).rows[0]!;
    });
    expect(claims).toEqual({
      uid: '8c4a2f3e-0000-4000-8000-000000000001',
      role: 'authenticated',
      email: 'a@example.com',
      jwt: { sub: '8c4a2f3e-0000-4000-8000-000000000001', role: 'authenticated', email: 'a@example.com' },
    });
    const legacy = await db.transaction().execute(async (trx) => {
      await sql`select set_config('request.jwt.claim.sub', '8c4a2f3e-0000-4000-8000-000000000002', true)`.execute(
        trx,
      );
      return (await sql<{ uid: string }>`select auth.uid() as uid`.execute(trx)).rows[0]!.uid;
    });
    expect(legacy).toBe('8c4a2f3e-0000-4000-8000-000000000002');
    // No claims (a migration, a cron job): null, not an error.
    expect((await rows<{ uid: null }>(db, 'select auth.uid() as uid, auth.jwt() as jwt'))[0]).toEqual({
      uid: null,
      jwt: null,
    });
    // The database's search_path reaches the extensions schema, as on Supabase.
    expect((await rows<{ v: string }>(db, 'select length(gen_random_bytes(4)::text) > 0 as v'))[0]!.v).toBe(
      true,
    );

    await scratch.close();
    closed = true;
    // The scratch database is gone; the roles (cluster-wide) stay.
    const admin = await openDatabase({ dialect: 'postgres', url: inject('pgAdminUrl') });
    cleanups.push(() => admin.close());
    expect(await rows(admin.db, `select 1 from pg_database where datname = '${name}'`)).toEqual([]);
    expect(
      await rows(
        admin.db,
        `select 1 from pg_roles where rolname = any(array['${SUPABASE_ROLE_NAMES.join("','")}'])`,
      ),
    ).toHaveLength(SUPABASE_ROLE_NAMES.length);
  });

  it('creates the roles once when several scratch databases are prepared at the same time on a new server', async () => {
    const server = await startEmbeddedPostgres({ prefix: 'kmigrate-test-standin-' });
    cleanups.push(() => server.stop());
    const scratches = await Promise.all(
      Array.from({ length: 4 }, () =>
        openScratchDatabase({
          dialect: 'postgres',
          env: { KMIGRATE_CODEGEN_DATABASE_URL: server.url },
          resetSchemas: [],
          platform: 'supabase',
        }),
      ),
    );
    for (const s of scratches) {
      expect(await rows(s.db, `select 1 from pg_class where oid = 'auth.users'::regclass`)).toHaveLength(1);
    }
    await Promise.all(scratches.map((s) => s.close()));
    const admin = await openDatabase({ dialect: 'postgres', url: server.url });
    cleanups.push(() => admin.close());
    const roles = await rows<{ n: number }>(
      admin.db,
      `select count(*)::int as n from pg_roles where rolname = any(array['${SUPABASE_ROLE_NAMES.join("','")}'])`,
    );
    expect(roles[0]!.n).toBe(SUPABASE_ROLE_NAMES.length);
    expect(await rows(admin.db, `select 1 from pg_database where datname like 'kmigrate_scratch_%'`)).toEqual(
      [],
    );
  }, 60_000);

  it('leaves a real Supabase auth schema alone, and reinstalls its own on a database that may be reset', async () => {
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const open = await openDatabase({ dialect: 'postgres', url: database.url });
    cleanups.push(() => open.close());
    expect(await installSupabaseStandIn(open.db, 'test')).toBe('installed');
    // A policy an earlier build added on storage.objects must not survive into the next build.
    await sql.raw(`create policy leftover on storage.objects for select using (true)`).execute(open.db);
    expect(await installSupabaseStandIn(open.db, 'test')).toBe('reinstalled');
    expect(await rows(open.db, `select 1 from pg_policies where schemaname = 'storage'`)).toEqual([]);
    // Someone else's auth schema (a real Supabase database): not ours to touch.
    await sql.raw(`comment on schema auth is 'Auth: real'`).execute(open.db);
    expect(await installSupabaseStandIn(open.db, 'test')).toBe('platform-present');
  });
});
