import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { isLocalDatabase } from '../../src/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableModule, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

const MIGRATIONS = {
  '001_users.up.sql': 'create table users (id integer primary key, email text not null unique);\n',
  '001_users.down.sql': 'drop table users;\n',
  '002_notes.up.sql':
    'create table notes (id integer primary key, user_id integer not null references users (id), body text);\n',
  '002_notes.down.sql': 'drop table notes;\n',
};

/** A project: root/migrations (given) and root/seeds; the CLI runs in root, so the default seedsDir applies. */
function project(seeds: Record<string, string>, migrations: Record<string, string> = MIGRATIONS) {
  const dir = folder(migrations);
  const root = path.dirname(dir);
  fs.mkdirSync(path.join(root, 'seeds'));
  for (const [name, content] of Object.entries(seeds))
    fs.writeFileSync(path.join(root, 'seeds', name), content);
  return { dir, root };
}

describeEachDialect('kmigrate seed', (ctx) => {
  const cli = (root: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, ...args], { cwd: root });

  it('runs SQL and TS seeds in name order, one transaction each; running it again changes nothing (idempotent contract)', async () => {
    const { root } = project({
      '001_users.sql':
        "insert into users (id, email) values (1, 'ada@example.com'), (2, 'bob@example.com') on conflict do nothing;\n",
      // Depends on 001 having run first (name order).
      '002_notes.ts': `import type { Kysely } from 'kysely';
export async function seed(db: Kysely<any>): Promise<void> {
  const ada = await db.selectFrom('users').select('id').where('email', '=', 'ada@example.com').executeTakeFirstOrThrow();
  await db.insertInto('notes').values({ id: 1, user_id: ada.id, body: 'hello' }).onConflict((oc) => oc.doNothing()).execute();
}
`,
      'README.md': 'not a seed\n',
    });
    expect((await cli(root, 'latest')).code).toBe(0);
    const first = await cli(root, 'seed');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /seeded 001_users\.sql[\s\S]*seeded 002_notes\.ts[\s\S]*Ran 2 seeds from seeds/,
    );
    const second = await cli(root, 'seed');
    expect(second.code).toBe(0);
    expect(await ctx.database.query('select id, email from users order by id')).toEqual([
      { id: 1, email: 'ada@example.com' },
      { id: 2, email: 'bob@example.com' },
    ]);
    expect(await ctx.database.query('select id, user_id, body from notes')).toEqual([
      { id: 1, user_id: 1, body: 'hello' },
    ]);
    // Seeds leave no trace in the tracking table.
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
  });

  it('a failing seed is rolled back (its earlier statements too), names its file and line, and stops the run (exit 1)', async () => {
    const { root } = project({
      '001_users.sql':
        "insert into users (id, email) values (1, 'ada@example.com') on conflict do nothing;\n",
      '002_broken.sql':
        "insert into users (id, email) values (3, 'cy@example.com');\n\ninsert into no_such_table values (1);\n",
      '003_after.sql': "insert into users (id, email) values (4, 'dee@example.com');\n",
    });
    expect((await cli(root, 'latest')).code).toBe(0);
    const run = await cli(root, 'seed');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: 002_broken\.sql:3: seed failed: .*no_such_table.*it was rolled back/m,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await ctx.database.query('select id from users order by id')).toEqual([{ id: 1 }]);
  });

  it('refuses (exit 4) while migrations are pending, and seeds nothing', async () => {
    const { root } = project({
      '001_users.sql':
        "insert into users (id, email) values (1, 'ada@example.com') on conflict do nothing;\n",
    });
    expect((await cli(root, 'up', '--step', '1')).code).toBe(0);
    const run = await cli(root, 'seed');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /seed refused: 1 migration is pending.*run `(npx kmigrate|npm run migrate --) latest` first/,
    );
    expect(await ctx.database.query('select id from users')).toEqual([]);
  });

  it('create --seed scaffolds numbered TS and SQL seeds that seed runs as no-ops', async () => {
    const { root } = project({}, { '001_a.ts': tableModule('a') });
    fs.rmSync(path.join(root, 'seeds'), { recursive: true });
    const ts = await cli(root, 'create', 'demo users', '--seed');
    expect(ts.code).toBe(0);
    expect(ts.stdout).toMatch(/Created seeds\/001_demo_users\.ts/);
    const sqlSeed = await cli(root, 'create', 'more data', '--seed', '--sql');
    expect(sqlSeed.stdout).toMatch(/Created seeds\/002_more_data\.sql/);
    expect(fs.readFileSync(path.join(root, 'seeds/001_demo_users.ts'), 'utf8')).toMatch(
      /export async function seed\(db: Kysely<any>\)/,
    );
    // A seed is not a migration: the migrations folder is unchanged.
    expect(fs.readdirSync(path.join(root, 'migrations'))).toEqual(['001_a.ts']);
    expect((await cli(root, 'latest')).code).toBe(0);
    const run = await cli(root, 'seed');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Ran 2 seeds/);
  });
});

it('refuses a database that is not SQLite or local (exit 2), without connecting and without printing the password', async () => {
  const { root } = project({ '001.sql': 'select 1;\n' });
  const run = await runCliInProcess(['--url', 'postgres://app:s3cret@db.example.com:5432/app', 'seed'], {
    cwd: root,
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(
    /^error: seed refused on postgres:\/\/app:\*\*\*@db\.example\.com:5432\/app: it is not SQLite or a local host; .*--allow-remote/m,
  );
  expect(run.stderr).not.toMatch(/s3cret/);
});

it('local means SQLite, loopback or a Unix socket', () => {
  const local = (url: string) => isLocalDatabase(parseDatabaseUrl(url));
  expect(local('sqlite:./x.sqlite')).toBe(true);
  expect(local('postgres://u:p@localhost:5432/db')).toBe(true);
  expect(local('postgres://u:p@127.0.0.1/db')).toBe(true);
  expect(local('postgres://u:p@[::1]:5432/db')).toBe(true);
  expect(local('postgres:///db')).toBe(true);
  expect(local('postgres:///db?host=/var/run/postgresql')).toBe(true);
  expect(local('postgres://u:p@db.abcd.supabase.co:5432/postgres')).toBe(false);
  expect(local('postgres://u:p@10.0.0.5/db')).toBe(false);
  expect(local('postgres://u:p@localhost.evil.com/db')).toBe(false);
});
