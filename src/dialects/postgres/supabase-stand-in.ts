import { sql } from 'kysely';
import { SUPABASE_ROLE_NAMES } from '../../config/platform.ts';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { MigrateError } from '../../engine/errors.ts';

/**
 * A stand-in for what a Supabase database provides before the first user
 * migration runs, so that migrations using it build on a scratch database
 * (drift, verify, codegen). Written by us from the platform's documented
 * behaviour and checked against the public sources of the real shapes:
 *  - supabase/postgres  migrations/db/init-scripts/0000000000000{0,1,2}-*.sql (roles, schemas, grants, extensions);
 *  - supabase/auth      migrations/ up to 20240806073726 (auth.users columns, keys, auth.uid/role/email/jwt);
 *  - supabase/storage   migrations/tenant/ up to 0061 (buckets, objects, foldername/filename/extension).
 * What it does not emulate is listed in docs/supabase-stand-in.md.
 *
 * Bump SUPABASE_STAND_IN_VERSION with every change of STAND_IN_SQL: it is
 * written into the comment on schema auth and into codegen's fingerprint, so
 * generated types and reset-in-place scratch databases follow the change.
 */
export const SUPABASE_STAND_IN_VERSION = 1;

/** The comment on schema auth that marks a stand-in (and its version); a real Supabase auth schema has another. */
export const STAND_IN_MARKER = `kmigrate supabase stand-in v${SUPABASE_STAND_IN_VERSION}`;

/** Schemas the stand-in creates (all of them platform-managed: drift and verify never compare them). */
export const STAND_IN_SCHEMAS = [
  'auth',
  'storage',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  'vault',
] as const;

/** Tables the stand-in creates; codegen leaves them out of the generated types unless asked. */
export const STAND_IN_TABLES = ['auth.users', 'storage.buckets', 'storage.objects'] as const;

/** The stand-in could not be installed (typically: no right to create the roles). Exit 1. */
export class StandInError extends MigrateError {
  override readonly name = 'StandInError';
  readonly exitCode = 1;
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(
      `cannot prepare the Supabase stand-in on ${where}: ${reason}; create the roles once as a superuser (docs/supabase-stand-in.md), or set KMIGRATE_SCRATCH_DATABASE_URL to a database that has Supabase's schemas`,
    );
  }
}

export type StandInOutcome = 'installed' | 'reinstalled' | 'platform-present';

/**
 * Prepares `db` (an empty scratch database) like a fresh Supabase project:
 * roles first (cluster-wide: created when missing, never dropped), then the
 * schemas, tables and functions. On a database that already has a real
 * Supabase auth schema nothing is touched ('platform-present'); a stand-in
 * left by an earlier run is dropped and installed again, so objects earlier
 * migrations added to auth/storage (triggers, policies) do not linger.
 */
export async function installSupabaseStandIn(db: AnyKysely, where: string): Promise<StandInOutcome> {
  const existing = await sql<{ comment: string | null }>`
    select obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname = 'auth'`.execute(
    db,
  );
  let outcome: StandInOutcome = 'installed';
  if (existing.rows.length) {
    if (!existing.rows[0]!.comment?.startsWith('kmigrate supabase stand-in')) return 'platform-present';
    await sql.raw(STAND_IN_SCHEMAS.map((s) => `drop schema if exists ${s} cascade`).join(';\n')).execute(db);
    outcome = 'reinstalled';
  }
  await ensureSupabaseRoles(db, where);
  await sql.raw(STAND_IN_SQL).execute(db);
  await sql.raw(`comment on schema auth is '${STAND_IN_MARKER}'`).execute(db);
  // Supabase sets the database's search_path so that unqualified extension functions resolve;
  // connections opened after this see it (the service reopens its pool).
  await sql
    .raw(`alter database ${await currentDatabase(db)} set search_path to "$user", public, extensions`)
    .execute(db);
  return outcome;
}

async function currentDatabase(db: AnyKysely): Promise<string> {
  const { rows } = await sql<{ name: string }>`select quote_ident(current_database()) as name`.execute(db);
  return rows[0]!.name;
}

/** Role attributes as the platform creates them (login roles get no password here: nobody logs in to a scratch). */
const ROLE_OPTIONS: Readonly<Record<(typeof SUPABASE_ROLE_NAMES)[number], string>> = {
  anon: 'nologin noinherit',
  authenticated: 'nologin noinherit',
  service_role: 'nologin noinherit bypassrls',
  authenticator: 'nologin noinherit',
  supabase_admin: 'nologin',
  supabase_auth_admin: 'nologin noinherit',
  supabase_storage_admin: 'nologin noinherit',
  supabase_realtime_admin: 'nologin noinherit',
  supabase_replication_admin: 'nologin',
  supabase_read_only_user: 'nologin',
  dashboard_user: 'nologin',
  pgbouncer: 'nologin',
};

/**
 * Roles belong to the cluster, shared by every database on it and by
 * concurrent runs: each missing role is created in its own statement, and a
 * concurrent creation (duplicate_object, or unique_violation when two
 * CREATE ROLE race in the catalog) counts as success. Never dropped.
 */
export async function ensureSupabaseRoles(db: AnyKysely, where: string): Promise<void> {
  const { rows } = await sql<{ rolname: string }>`
    select rolname from pg_roles where rolname = any(${[...SUPABASE_ROLE_NAMES]})`.execute(db);
  const present = new Set(rows.map((r) => r.rolname));
  for (const role of SUPABASE_ROLE_NAMES) {
    if (present.has(role)) continue;
    try {
      await sql
        .raw(`do $$ begin
  create role ${role} ${ROLE_OPTIONS[role]};
exception when duplicate_object or unique_violation then null;
end $$`)
        .execute(db);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      throw new StandInError(where, `role ${role} is missing and cannot be created (${e.message ?? e.code})`);
    }
  }
  // A service_role made earlier without BYPASSRLS (by hand, or by a user who could not grant it) gets it
  // whenever this connection may give it: RLS policies must not apply to service_role, as on the platform.
  await sql
    .raw(`do $$ begin
  if exists (select 1 from pg_roles where rolname = 'service_role' and not rolbypassrls)
     and exists (select 1 from pg_roles where rolname = current_user and (rolsuper or rolbypassrls)) then
    alter role service_role bypassrls;
  end if;
end $$`)
    .execute(db);
  // authenticator switches to the API roles (PostgREST's SET ROLE). Checked, not assumed: a concurrent
  // run may have created authenticator a moment ago and not granted yet; GRANT of a membership that
  // exists is a no-op, so two runs granting at once is harmless.
  const { rows: missing } = await sql<{ rolname: string }>`
    select r.rolname from pg_roles r
     where r.rolname in ('anon', 'authenticated', 'service_role')
       and not pg_has_role('authenticator', r.oid, 'member')`.execute(db);
  if (missing.length) {
    await sql.raw(`grant ${missing.map((r) => r.rolname).join(', ')} to authenticator`).execute(db);
  }
}

/** Per database: schemas, extensions, auth.users and its functions, storage's tables, grants. */
const STAND_IN_SQL = `
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create schema auth;
create schema storage;
create schema graphql;
create schema graphql_public;
create schema realtime;
create schema vault;

grant usage on schema public, extensions, auth, storage, graphql, graphql_public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- auth.users as supabase/auth's migrations leave it (init schema + alter_users, confirmed_at,
-- email_change_confirmed, banned_until, reauthentication, is_sso_user, phone as text, deleted_at, is_anonymous).
create table auth.users (
  instance_id uuid,
  id uuid not null,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false,
  constraint users_pkey primary key (id),
  constraint users_phone_key unique (phone)
);
create index users_instance_id_idx on auth.users (instance_id);
create index users_instance_id_email_idx on auth.users (instance_id, lower(email));
create unique index users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index users_is_anonymous_idx on auth.users (is_anonymous);
alter table auth.users enable row level security;
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';

-- The request's JWT claims as PostgREST sets them: request.jwt.claims (JSON, current) or the
-- older one-setting-per-claim request.jwt.claim.<name>. Definitions as supabase/auth has them.
create function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

-- storage as supabase/storage's tenant migrations leave it (the parts user migrations touch).
create type storage.buckettype as enum ('STANDARD', 'ANALYTICS');
create table storage.buckets (
  id text not null,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD',
  primary key (id)
);
create unique index bname on storage.buckets (name);
create table storage.objects (
  id uuid not null default gen_random_uuid(),
  bucket_id text,
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb,
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id),
  primary key (id)
);
create unique index bucketid_objname on storage.objects (bucket_id, name);
create index name_prefix_search on storage.objects (name text_pattern_ops);
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

create function storage.foldername(name text) returns text[] language plpgsql immutable as $$
declare _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;
create function storage.filename(name text) returns text language plpgsql immutable as $$
declare _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;
create function storage.extension(name text) returns text language plpgsql immutable as $$
declare _parts text[]; _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;
`;
