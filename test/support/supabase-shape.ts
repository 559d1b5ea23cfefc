/**
 * Shapes a fresh PostgreSQL test database like a Supabase project, so tests
 * can check that the tool leaves Supabase's own objects alone (drift) or
 * adopts its migration history (baseline --from supabase):
 *  - roles anon, authenticated, service_role (cluster-wide, created once, race-safe);
 *  - schemas auth, storage and extensions with tables, functions and a policy;
 *  - supabase_migrations.schema_migrations(version text primary key, statements text[], name text).
 * Nothing is put in `public` (the project's own schema) unless `applyHistory`
 * runs the history's statements, as a real project would have.
 */

export const SUPABASE_ROLES = ['anon', 'authenticated', 'service_role'] as const;

/** Schemas the shape creates (all of them managed: drift never compares them). */
export const SUPABASE_SHAPE_SCHEMAS = ['auth', 'storage', 'extensions', 'supabase_migrations'] as const;

export interface SupabaseHistoryEntry {
  /** Supabase CLI versions are timestamps, e.g. `20240101120000`. */
  version: string;
  name: string;
  statements: string[];
}

/** Two migrations as the Supabase CLI records them; the default history. */
export const DEFAULT_SUPABASE_HISTORY: readonly SupabaseHistoryEntry[] = [
  {
    version: '20240101120000',
    name: 'create_profiles',
    statements: [
      'create table public.profiles (id uuid primary key references auth.users (id), username text)',
    ],
  },
  {
    version: '20240215093000',
    name: 'profiles_rls',
    statements: [
      'alter table public.profiles enable row level security',
      'create policy "profiles are readable" on public.profiles for select using (true)',
    ],
  },
];

export interface SupabaseShapeOptions {
  /** Rows of supabase_migrations.schema_migrations; default DEFAULT_SUPABASE_HISTORY. Pass [] for none. */
  history?: readonly SupabaseHistoryEntry[];
  /** Also run each history entry's statements (default false: only the rows are written). */
  applyHistory?: boolean;
}

/** Anything that can run SQL text on the test database (TestDatabase.query fits). */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
}

export async function applySupabaseShape(
  database: SqlRunner,
  options: SupabaseShapeOptions = {},
): Promise<void> {
  await ensureSupabaseRoles(database);
  await database.query(SHAPE_SQL);
  const history = options.history ?? DEFAULT_SUPABASE_HISTORY;
  for (const entry of history) {
    if (options.applyHistory) for (const statement of entry.statements) await database.query(statement);
    await database.query(
      `insert into supabase_migrations.schema_migrations (version, statements, name) values (${literal(entry.version)}, array[${entry.statements.map(literal).join(', ')}]::text[], ${literal(entry.name)})`,
    );
  }
}

/**
 * Roles belong to the cluster, which all test databases share, and tests run
 * in parallel: two CREATE ROLE racing can fail with unique_violation rather
 * than duplicate_object, so both are caught.
 */
export async function ensureSupabaseRoles(database: SqlRunner): Promise<void> {
  for (const role of SUPABASE_ROLES) {
    await database.query(`do $$ begin
  create role ${role} nologin;
exception when duplicate_object or unique_violation then null;
end $$`);
  }
}

const SHAPE_SQL = `
create schema auth;
create schema storage;
create schema extensions;
create schema supabase_migrations;

create table auth.users (
  id uuid primary key,
  email text unique,
  raw_user_meta_data jsonb,
  created_at timestamptz not null default now()
);
create index users_created_at_idx on auth.users (created_at);
create function auth.uid() returns uuid language sql stable as $$
  select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select nullif(current_setting('request.jwt.claim.role', true), '')::text
$$;

create table storage.buckets (
  id text primary key,
  name text not null unique,
  public boolean default false
);
create table storage.objects (
  id uuid primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid references auth.users (id),
  created_at timestamptz default now()
);
alter table storage.objects enable row level security;
create policy "owners read their objects" on storage.objects for select to authenticated
  using (owner = auth.uid());
create function storage.foldername(name text) returns text[] language plpgsql immutable as $$
begin
  return string_to_array(name, '/');
end
$$;

create table extensions.registry (name text primary key, version text not null);
create function extensions.noop() returns void language sql as $$ select $$;

create table supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);

grant usage on schema auth, storage, extensions to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;
`;

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
