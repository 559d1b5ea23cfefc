import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

const MIGRATIONS = {
  '001_users.up.sql': 'create table users (id integer primary key, email text not null unique);\n',
  '001_users.down.sql': 'drop table users;\n',
  '002_user_emails.up.sql':
    'create view user_emails as select email from users;\ncreate index users_email on users (email);\n',
  '002_user_emails.down.sql': 'drop view user_emails;\ndrop index users_email;\n',
};
const SEEDS = {
  '001_users.sql': "insert into users (id, email) values (1, 'ada@example.com') on conflict do nothing;\n",
};

function project(migrations: Record<string, string> = MIGRATIONS, seeds: Record<string, string> = SEEDS) {
  const dir = folder(migrations);
  const root = path.dirname(dir);
  fs.mkdirSync(path.join(root, 'seeds'));
  for (const [name, content] of Object.entries(seeds))
    fs.writeFileSync(path.join(root, 'seeds', name), content);
  return root;
}

describeEachDialect('kmigrate reset', (ctx) => {
  const cli = (root: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliInProcess(['--url', ctx.database.url, ...args], { cwd: root, env });

  it('drops what we own (stray objects and data included), then runs migrations and seeds; tracking rows start over', async () => {
    const root = project();
    expect((await cli(root, ['latest'])).code).toBe(0);
    await ctx.database.query("insert into users (id, email) values (2, 'typed-by-hand@example.com')");
    await ctx.database.query('create table stray (id integer)');

    const run = await cli(root, ['reset', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      ctx.dialect === 'sqlite' ? /Removed .*test\.sqlite/ : /Removed \d+ objects from schema public/,
    );
    expect(run.stdout).toMatch(/seeded 001_users\.sql/);
    expect(await tableExists(ctx.database, 'stray')).toBe(false);
    expect(await ctx.database.query('select id, email from users')).toEqual([
      { id: 1, email: 'ada@example.com' },
    ]);
    expect(await ctx.database.query('select email from user_emails')).toEqual([{ email: 'ada@example.com' }]);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    // The history starts over too: it belonged to the dropped database.
    const history = await ctx.database.query<{ action: string }>(
      'select action from schema_migrations_history',
    );
    expect(history.map((h) => h.action)).toEqual(['up', 'up']);
  });

  it('is refused without --yes (exit 2) and with NODE_ENV=production unless --force (exit 4); nothing is dropped', async () => {
    const root = project();
    expect((await cli(root, ['latest'])).code).toBe(0);
    await ctx.database.query('create table stray (id integer)');

    const noYes = await cli(root, ['reset']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/reset \(it drops .*\) needs confirmation; .*--yes/);
    const production = await cli(root, ['reset', '--yes'], { NODE_ENV: 'production' });
    expect(production.code).toBe(4);
    expect(production.stderr).toMatch(/reset refused on .*: NODE_ENV is production; .*--force/);
    expect(await tableExists(ctx.database, 'stray')).toBe(true);

    const forced = await cli(root, ['reset', '--yes', '--force'], { NODE_ENV: 'production' });
    expect(forced.code).toBe(0);
    expect(await tableExists(ctx.database, 'stray')).toBe(false);
  });

  it('a folder that does not match its sum, or a broken migration file, is refused before anything is dropped', async () => {
    const root = project({ ...MIGRATIONS, '003_bad name.sql': 'x' });
    await ctx.database.query('create table keep_me (id integer)');
    const run = await cli(root, ['reset', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/003_bad name\.sql/);
    expect(await tableExists(ctx.database, 'keep_me')).toBe(true);
  });
});

it('SQLite: the file and its companions (-wal, -shm, -journal, .kmigrate-lock) are removed, then rebuilt', async () => {
  const root = project();
  const file = path.join(root, 'dev.sqlite');
  const url = `sqlite:${file}`;
  expect((await runCliInProcess(['--url', url, 'latest'], { cwd: root })).code).toBe(0);
  for (const suffix of ['-wal', '-shm', '-journal', '.kmigrate-lock'])
    fs.writeFileSync(`${file}${suffix}`, 'leftover');
  const run = await runCliInProcess(['--url', url, 'reset', '--yes'], { cwd: root });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /Removed dev\.sqlite, dev\.sqlite-wal, dev\.sqlite-shm, dev\.sqlite-journal, dev\.sqlite\.kmigrate-lock\./,
  );
  expect(fs.existsSync(`${file}-journal`)).toBe(false);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    expect(db.prepare('select email from users').all()).toEqual([{ email: 'ada@example.com' }]);
  } finally {
    db.close();
  }
});

it('a non-local PostgreSQL host is refused (exit 4) without connecting; a Supabase-managed --schema is refused (exit 2)', async () => {
  const root = project();
  const remote = await runCliInProcess(['--url', 'postgres://u:pw@db.example.com/app', 'reset', '--yes'], {
    cwd: root,
  });
  expect(remote.code).toBe(4);
  expect(remote.stderr).toMatch(
    /reset refused on postgres:\/\/u:\*\*\*@db\.example\.com\/app: it is not SQLite or a local host/,
  );
  const managed = await runCliInProcess(
    ['--url', 'postgres://u:pw@localhost/app', 'reset', '--yes', '--schema', 'auth'],
    {
      cwd: root,
    },
  );
  expect(managed.code).toBe(2);
  expect(managed.stderr).toMatch(/auth is managed by Supabase/);
});

describe('kmigrate reset on PostgreSQL objects', () => {
  const ctx: { database: TestDatabase } = {} as { database: TestDatabase };
  beforeEach(async () => {
    ctx.database = await createPostgresDatabase();
  });
  afterEach(() => ctx.database.drop());

  it('empties the schema but keeps its grants and default privileges; enums, functions, sequences and extra schemas go', async () => {
    const root = project(
      {
        '001_shapes.up.sql': `create type mood as enum ('ok', 'meh');
create sequence tickets;
create table people (id serial primary key, mood mood not null default 'ok');
create function shout(t text) returns text language sql immutable as $$ select upper(t) $$;
create schema app;
create table app.things (id integer primary key);
`,
        '001_shapes.down.sql':
          'drop schema app cascade;\ndrop function shout(text);\ndrop table people;\ndrop sequence tickets;\ndrop type mood;\n',
      },
      {},
    );
    const cli = (...args: string[]) => runCliInProcess(['--url', ctx.database.url, ...args], { cwd: root });
    expect((await cli('latest')).code).toBe(0);
    await ctx.database.query('grant create on schema public to public');
    await ctx.database.query('alter default privileges in schema public grant select on tables to public');
    const acl = () =>
      ctx.database.query("select nspacl::text as acl from pg_namespace where nspname = 'public'");
    const before = await acl();

    const run = await cli('reset', '--yes', '--schema', 'app');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/from schema public \(kept, with its grants\) and schema app/);
    expect(await acl()).toEqual(before);
    expect(
      await ctx.database.query(
        "select count(*)::int as n from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace where n.nspname = 'public'",
      ),
    ).toEqual([{ n: 1 }]);
    // Rebuilt by the migration (which would fail if anything had been left behind).
    expect(await ctx.database.query("select shout('x') as s")).toEqual([{ s: 'X' }]);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
  });
});
