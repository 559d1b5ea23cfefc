/**
 * Row-level security on PostgreSQL, both ways 004 can meet a server:
 *  - plain PostgreSQL, no `authenticated` role: RLS on, no policies. Roles are
 *    cluster-wide and other suites create Supabase's roles on the shared test
 *    server (and never drop them), so this runs on its own embedded cluster;
 *  - Supabase-shaped, the role exists: four policies that scope rows to the
 *    JWT's email, checked by acting as `authenticated`.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/dialects/embedded-postgres.ts';
import { migrateDown, migrateToLatest } from '../../src/index.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { ensureSupabaseRoles } from '../support/supabase-shape.ts';
import { MIGRATE_OPTIONS } from './catalog-snapshot.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

type Query = <T = Record<string, unknown>>(text: string) => Promise<T[]>;

async function rlsState(query: Query) {
  const tables = await query<{ relname: string; relrowsecurity: boolean }>(
    `select relname, relrowsecurity from pg_class
     where relnamespace = 'public'::regnamespace and relkind = 'r' and relname not like 'schema_migrations%'
     order by relname`,
  );
  const policies = await query<{ policyname: string; cmd: string; roles: string }>(
    `select policyname, cmd, array_to_string(roles, ',') as roles from pg_policies
     where schemaname = 'public' order by policyname`,
  );
  return { rls: Object.fromEntries(tables.map((t) => [t.relname, t.relrowsecurity])), policies };
}

const RLS_ONLY_ON_POLICIES = {
  ai_cost_logs: false,
  policies: true,
  project_api_keys: false,
  projects: false,
  users: false,
};

describe('004 row-level security [postgres]', () => {
  it('plain PostgreSQL: enables RLS on policies and skips the Supabase policies cleanly', async () => {
    const cluster = await startEmbeddedPostgres();
    cleanups.push(() => cluster.stop());
    const query: Query = (text) => withClient(cluster.url, async (c) => (await c.query(text)).rows);
    expect(await query(`select 1 from pg_roles where rolname = 'authenticated'`)).toEqual([]);

    const results = await migrateToLatest(cluster.url, MIGRATE_OPTIONS);
    expect(results.map((r) => r.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
    expect(await rlsState(query)).toEqual({ rls: RLS_ONLY_ON_POLICIES, policies: [] });

    await migrateDown(cluster.url, { ...MIGRATE_OPTIONS, steps: 3 });
    expect((await rlsState(query)).rls).toEqual({
      ai_cost_logs: false,
      project_api_keys: false,
      projects: false,
      users: false,
    });
    await migrateToLatest(cluster.url, MIGRATE_OPTIONS);
    expect(await rlsState(query)).toEqual({ rls: RLS_ONLY_ON_POLICIES, policies: [] });
  }, 120_000);

  it('Supabase-shaped: creates policies for authenticated that scope rows to the JWT email; down removes them', async () => {
    const database: TestDatabase = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    await ensureSupabaseRoles(database);
    await migrateToLatest(database.url, MIGRATE_OPTIONS);

    expect(await rlsState((text) => database.query(text))).toEqual({
      rls: RLS_ONLY_ON_POLICIES,
      policies: [
        { policyname: 'policies_delete_own', cmd: 'DELETE', roles: 'authenticated' },
        { policyname: 'policies_insert_own', cmd: 'INSERT', roles: 'authenticated' },
        { policyname: 'policies_select_own', cmd: 'SELECT', roles: 'authenticated' },
        { policyname: 'policies_update_own', cmd: 'UPDATE', roles: 'authenticated' },
      ],
    });

    // Two owners, one policy each. Supabase grants table rights to `authenticated` itself; the test does it here.
    await database.query(`
      insert into users (email) values ('ada@example.com'), ('bob@example.com');
      insert into projects (owner_id, name) values (1, 'ada-project'), (2, 'bob-project');
      insert into policies (project_id, name, kind, limit_amount, period) values
        (1, 'ada-budget', 'budget', '5', 'month'), (2, 'bob-budget', 'budget', '7', 'month');
      grant select, insert, update, delete on policies, projects, users to authenticated`);
    const asUser = (email: string | null, statement: string) =>
      withClient(database.url, async (client) => {
        await client.query('begin');
        try {
          await client.query('set local role authenticated');
          if (email !== null) {
            await client.query(`select set_config('request.jwt.claims', $1, true)`, [
              JSON.stringify({ email }),
            ]);
          }
          return (await client.query(statement)).rows;
        } finally {
          await client.query('rollback');
        }
      });
    expect(await asUser('ada@example.com', 'select name from policies order by name')).toEqual([
      { name: 'ada-budget' },
    ]);
    expect(await asUser('bob@example.com', 'select name from policies order by name')).toEqual([
      { name: 'bob-budget' },
    ]);
    expect(await asUser(null, 'select name from policies')).toEqual([]);
    await expect(
      asUser(
        'ada@example.com',
        `insert into policies (project_id, name, kind, limit_amount, period) values (2, 'sneaky', 'budget', '1', 'day')`,
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await asUser('ada@example.com', 'delete from policies where project_id = 2 returning id')).toEqual(
      [],
    );
    expect(
      await asUser(
        'ada@example.com',
        `update policies set enabled = false where project_id = 2 returning id`,
      ),
    ).toEqual([]);
    // The owner role (the app, the migrator) is not subject to RLS: it is enabled, not forced.
    expect(await database.query('select count(*)::int as n from policies where enabled')).toEqual([{ n: 2 }]);

    await migrateDown(database.url, { ...MIGRATE_OPTIONS, steps: 3 });
    expect((await rlsState((text) => database.query(text))).policies).toEqual([]);
    expect(await database.query(`select 1 from pg_class where relname = 'policies'`)).toEqual([]);
    await migrateToLatest(database.url, MIGRATE_OPTIONS);
    expect((await rlsState((text) => database.query(text))).policies).toHaveLength(4);
  });
});

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
