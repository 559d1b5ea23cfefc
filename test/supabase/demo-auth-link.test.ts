import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { installSupabaseStandIn } from '../../src/dialects/postgres/supabase-stand-in.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(dialect: 'sqlite' | 'postgres', standIn = false): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  cleanups.push(() => db.drop());
  if (standIn) {
    const open = await openDatabase({ dialect: 'postgres', url: db.url });
    await installSupabaseStandIn(open.db, 'test').finally(() => open.close());
  }
  return db;
}

const latest = (db: TestDatabase) =>
  runCliInProcess(['--url', db.url, '--no-codegen', 'latest'], { cwd: ROOT, env: {} });

const FK = `select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'users_auth_user_id_fkey'`;

describe('the demo app: 005_link_auth_users on Supabase, plain PostgreSQL and SQLite', () => {
  it('on a Supabase-shaped database: users.auth_user_id references auth.users (on delete set null)', async () => {
    const db = await database('postgres', true);
    const run = await latest(db);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(await db.query(FK)).toEqual([
      { def: 'FOREIGN KEY (auth_user_id) REFERENCES auth.users(id) ON DELETE SET NULL' },
    ]);
    await db.query(`insert into auth.users (id) values ('8c4a2f3e-0000-4000-8000-000000000005')`);
    await db.query(
      `insert into users (email, auth_user_id) values ('a@example.com', '8c4a2f3e-0000-4000-8000-000000000005')`,
    );
    await db.query(`delete from auth.users`);
    expect(await db.query('select email, auth_user_id from users')).toEqual([
      { email: 'a@example.com', auth_user_id: null },
    ]);
  }, 60_000);

  it('on plain PostgreSQL: the column, no foreign key; on SQLite: a text column', async () => {
    const pg = await database('postgres');
    expect((await latest(pg)).code).toBe(0);
    expect(await pg.query(FK)).toEqual([]);
    expect(
      await pg.query(
        `select data_type from information_schema.columns where table_name = 'users' and column_name = 'auth_user_id'`,
      ),
    ).toEqual([{ data_type: 'uuid' }]);

    const lite = await database('sqlite');
    expect((await latest(lite)).code).toBe(0);
    expect(
      await lite.query(`select type from pragma_table_info('users') where name = 'auth_user_id'`),
    ).toEqual([{ type: 'TEXT' }]);
    // One app user per auth user (006), on both.
    expect(
      await lite.query(
        `select 1 from pragma_index_list('users') where name = 'users_auth_user_id_key' and "unique" = 1`,
      ),
    ).toHaveLength(1);
    expect(
      await pg.query(`select 1 from pg_indexes where indexname = 'users_auth_user_id_key'`),
    ).toHaveLength(1);
    // And both go back down on both.
    for (const db of [pg, lite]) {
      const down = await runCliInProcess(['--url', db.url, '--no-codegen', '--yes', 'to', '4'], {
        cwd: ROOT,
        env: {},
      });
      expect(down.code).toBe(0);
    }
    expect(
      await lite.query(`select name from pragma_table_info('users') where name = 'auth_user_id'`),
    ).toEqual([]);
  }, 60_000);
});
