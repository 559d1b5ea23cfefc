import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FileMigrationProvider, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import type { AnyDatabase } from '../../src/engine/any-kysely.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableExists, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** golang-migrate-style folder: three pairs of .up.sql/.down.sql. */
function golangFolder(): string {
  const f = writeMigrationFolder({
    '1_create_users.up.sql': 'create table users (id integer primary key, email text);\n',
    '1_create_users.down.sql': 'drop table users;\n',
    '2_create_posts.up.sql': 'create table posts (id integer primary key, title text);\n',
    '2_create_posts.down.sql': 'drop table posts;\n',
    '3_create_comments.up.sql': 'create table comments (id integer primary key, body text);\n',
    '3_create_comments.down.sql': 'drop table comments;\n',
  });
  cleanups.push(f.cleanup);
  return f.dir;
}

function migrate(db: TestDatabase, dir: string, args: string[]) {
  return runCliInProcess(['--url', db.url, '--dir', dir, ...args], { cwd: path.dirname(dir) });
}

/** What golang-migrate's postgres / sqlite3 drivers create, built by hand, with the schema it migrated. */
async function golangMigrated(
  db: TestDatabase,
  version: number,
  dirty: boolean,
  table = 'schema_migrations',
) {
  await db.query('create table users (id integer primary key, email text)');
  await db.query('create table posts (id integer primary key, title text)');
  await db.query(`insert into users (id, email) values (1, 'kept@example.com')`);
  if (db.dialect === 'postgres') {
    await db.query(`create table ${table} (version bigint not null primary key, dirty boolean not null)`);
    await db.query(`insert into ${table} (version, dirty) values (${version}, ${dirty})`);
  } else {
    await db.query(`create table ${table} (version uint64, dirty bool)`);
    await db.query(`create unique index version_unique on ${table} (version)`);
    await db.query(`insert into ${table} (version, dirty) values (${version}, ${dirty ? 1 : 0})`);
  }
}

async function historyRows(db: TestDatabase, table = 'schema_migrations_history') {
  const rows = await db.query<{ version: number; action: string; details: string }>(
    `select version, action, details from ${table} order by id`,
  );
  return rows.map((r) => ({ ...r, version: Number(r.version) }));
}

describeEachDialect('baseline <version>', (ctx) => {
  it('records migrations up to the version as applied without running them; latest runs the rest', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    await db.query('create table users (id integer primary key, email text)');
    await db.query('create table posts (id integer primary key, title text)');
    await db.query(`insert into users (id, email) values (1, 'kept@example.com')`);

    const run = await migrate(db, dir, ['baseline', '2', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Recorded 2 migrations as applied without running them: 1, 2 on /);
    expect((await trackingRows(db)).map((r) => [r.version, r.name, r.state])).toEqual([
      [1, 'create_users', 'applied'],
      [2, 'create_posts', 'applied'],
    ]);
    expect((await historyRows(db)).map((h) => [h.version, h.action])).toEqual([
      [1, 'baseline'],
      [2, 'baseline'],
    ]);

    const latest = await migrate(db, dir, ['latest']);
    expect(latest.code).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await tableExists(db, 'comments')).toBe(true);
    // Nothing re-ran on the adopted tables: the hand-made row is still there.
    expect(await db.query('select email from users')).toEqual([{ email: 'kept@example.com' }]);
  });

  it('asks first: without a terminal and without --yes it refuses and writes nothing', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    const run = await migrate(db, dir, ['baseline', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs confirmation; run it in a terminal, or pass --yes/);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
  });

  it('refuses a version that is not a migration file (exit 2) and --dry-run writes nothing', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    const unknown = await migrate(db, dir, ['baseline', '9', '--yes']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/version 9 is not a migration in the folder/);
    const dry = await migrate(db, dir, ['baseline', '2', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: would record 2 migrations/);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
  });
});

describeEachDialect('baseline --from golang-migrate', (ctx) => {
  it('clean: renames its table out of the way (same name as ours) and records its versions', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    await golangMigrated(db, 2, false);

    const run = await migrate(db, dir, ['baseline', '--from', 'golang-migrate', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "Renamed golang-migrate's table: schema_migrations → schema_migrations_golang_migrate.",
    );

    // golang-migrate's row is kept, under the new name.
    const old = await db.query<{ version: unknown; dirty: unknown }>(
      'select version, dirty from schema_migrations_golang_migrate',
    );
    expect(old.map((r) => [Number(r.version), Boolean(r.dirty)])).toEqual([[2, false]]);
    expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    const history = await historyRows(db);
    expect(history.map((h) => [h.version, h.action])).toEqual([
      [1, 'baseline'],
      [2, 'baseline'],
    ]);
    expect(history[0]!.details).toMatch(/imported from golang-migrate \(.*schema_migrations at version 2\)/);
    if (db.dialect === 'postgres') {
      const indexes = await db.query<{ indexname: string }>(
        "select indexname from pg_indexes where tablename like 'schema_migrations%' order by indexname",
      );
      expect(indexes.map((i) => i.indexname)).toEqual([
        'schema_migrations_golang_migrate_pkey',
        'schema_migrations_history_pkey',
        'schema_migrations_pkey',
      ]);
    }

    const status = await migrate(db, dir, ['status', '--check']);
    expect(status.code).toBe(3); // one pending, nothing changed/dirty
    const latest = await migrate(db, dir, ['latest']);
    expect(latest.code).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await db.query('select email from users')).toEqual([{ email: 'kept@example.com' }]);
  });

  it('dirty: the version is recorded as running, so the engine refuses until `force`', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    await golangMigrated(db, 2, true);

    const run = await migrate(db, dir, ['baseline', '--from', 'golang-migrate', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: migration 2 is recorded as dirty, as golang-migrate had it/);
    const rows = await db.query<{ version: unknown; state: string; error: string | null }>(
      'select version, state, error from schema_migrations order by version',
    );
    expect(rows.map((r) => [Number(r.version), r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    expect(rows[1]!.error).toMatch(/^imported from golang-migrate, where version 2 was dirty/);

    const refused = await migrate(db, dir, ['latest']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /database is dirty at migration 2_create_posts .*(npx kmigrate|npm run migrate --) force 2/,
    );
    expect(await tableExists(db, 'comments')).toBe(false);

    expect((await migrate(db, dir, ['force', '2'])).code).toBe(0);
    expect((await migrate(db, dir, ['latest'])).code).toBe(0);
    expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
  });

  it('with another --table, golang-migrate’s table is read and left as it is', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    await golangMigrated(db, 1, false);
    const run = await migrate(db, dir, [
      '--table',
      'kmigrate_migrations',
      'baseline',
      '--from',
      'golang-migrate',
      '--yes',
    ]);
    expect(run.code).toBe(0);
    expect((await trackingRows(db, 'kmigrate_migrations')).map((r) => r.version)).toEqual([1]);
    const old = await db.query<{ version: unknown }>('select version from schema_migrations');
    expect(old.map((r) => Number(r.version))).toEqual([1]);
    expect(await tableExists(db, 'schema_migrations_golang_migrate')).toBe(false);
  });

  it('refuses (exit 4, one line, nothing changed) a version with no file, and a second import', async () => {
    const db = ctx.database;
    const dir = golangFolder();
    await golangMigrated(db, 7, false);
    const run = await migrate(db, dir, ['baseline', '--from', 'golang-migrate', '--yes']);
    expect(run.code).toBe(4);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error: cannot import golang-migrate history: it is at version 7, but no migration file has that version \(files: 1, 2, 3\); nothing was changed/,
    );
    expect(await tableExists(db, 'schema_migrations_golang_migrate')).toBe(false);
    expect(await tableExists(db, 'schema_migrations_history')).toBe(false);
    const old = await db.query<{ version: unknown }>('select version from schema_migrations');
    expect(old.map((r) => Number(r.version))).toEqual([7]);

    // A command-line version that disagrees with the import is refused the same way.
    await db.query('update schema_migrations set version = 2');
    const disagree = await migrate(db, dir, ['baseline', '3', '--from', 'golang-migrate', '--yes']);
    expect(disagree.code).toBe(4);
    expect(disagree.stderr).toMatch(/it is at version 2, not 3 as given/);

    expect((await migrate(db, dir, ['baseline', '--from', 'golang-migrate', '--yes'])).code).toBe(0);
    const again = await migrate(db, dir, ['baseline', '--from', 'golang-migrate', '--yes']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(
      /schema_migrations has no version\/dirty columns, so it is not golang-migrate's table/,
    );
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([1, 2]);
  });
});

/** A Kysely app's folder: modules Kysely's own FileMigrationProvider and kmigrate both load. */
function kyselyFolder(): string {
  const module = (table: string) => `export async function up(db) {
  await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}
export async function down(db) {
  await db.schema.dropTable('${table}').execute();
}
`;
  const f = writeMigrationFolder({
    '001_users.mjs': module('users'),
    '002_posts.mjs': module('posts'),
    '003_comments.mjs': module('comments'),
  });
  cleanups.push(f.cleanup);
  return f.dir;
}

/** Runs Kysely's own Migrator on the folder up to `target`, as the app did before kmigrate. */
async function kyselyMigrated(db: TestDatabase, dir: string, target: string): Promise<void> {
  const target_ = parseDatabaseUrl(db.url);
  const kysely = new Kysely<AnyDatabase>({
    dialect:
      target_.dialect === 'sqlite'
        ? new SqliteDialect({ database: new Database(target_.filename) })
        : new PostgresDialect({ pool: new pg.Pool({ connectionString: target_.url, max: 1 }) }),
  });
  try {
    const migrator = new Migrator({
      db: kysely,
      provider: new FileMigrationProvider({ fs: fsPromises, path, migrationFolder: dir }),
    });
    const { error } = await migrator.migrateTo(target);
    if (error) throw error;
  } finally {
    await kysely.destroy();
  }
}

describeEachDialect("baseline --from kysely (Kysely's Migrator)", (ctx) => {
  it('records the migrations Kysely ran, by name; latest runs the rest; Kysely’s table is left as it is', async () => {
    const db = ctx.database;
    const dir = kyselyFolder();
    await kyselyMigrated(db, dir, '002_posts');
    const run = await migrate(db, dir, ['baseline', '--from', 'kysely', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 migrations as applied without running them \(from kysely\): 1, 2/);
    const rows = await trackingRows(db);
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    const history = await db.query<{ action: string; details: string }>(
      'select action, details from schema_migrations_history order by id',
    );
    expect(history.map((h) => h.action)).toEqual(['baseline', 'baseline']);
    expect(history[0]?.details).toMatch(
      /imported from Kysely's Migrator \(.*kysely_migration, 2 migrations up to 2\)/,
    );
    const latest = await migrate(db, dir, ['latest', '--no-codegen']);
    expect(latest.code, latest.stderr).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await tableExists(db, 'comments')).toBe(true);
    const kysely = await db.query<{ name: string }>('select name from kysely_migration order by name');
    expect(kysely.map((r) => r.name)).toEqual(['001_users', '002_posts']);
  });

  it('refuses (exit 4, one line, nothing changed) a name with no file, a gap, a database Kysely never migrated', async () => {
    const db = ctx.database;
    const dir = kyselyFolder();
    const never = await migrate(db, dir, ['baseline', '--from', 'kysely', '--yes']);
    expect(never.code).toBe(4);
    expect(never.stderr.trim().split('\n')).toHaveLength(1);
    expect(never.stderr).toMatch(/^error: cannot import kysely history: .*kysely_migration does not exist/);
    await kyselyMigrated(db, dir, '002_posts');
    await db.query(
      "insert into kysely_migration (name, timestamp) values ('2024-01-01-extra', '2024-01-01T00:00:00.000Z')",
    );
    const unknown = await migrate(db, dir, ['baseline', '--from', 'kysely', '--yes']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/2024-01-01-extra has no migration file of that name/);
    await db.query("delete from kysely_migration where name in ('2024-01-01-extra', '001_users')");
    const gap = await migrate(db, dir, ['baseline', '--from', 'kysely', '--yes']);
    expect(gap.code).toBe(4);
    expect(gap.stderr).toMatch(
      /001_users\.mjs is older than the newest migration Kysely's Migrator ran \(2\) but was never run there \(a gap\)/,
    );
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
    expect(await tableExists(db, 'schema_migrations_history')).toBe(false);
  });
});

/** A Prisma Migrate folder: `<timestamp>_<name>/migration.sql` and its lock file. */
function prismaFolder(): string {
  const f = writeMigrationFolder({
    'migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
  });
  cleanups.push(f.cleanup);
  for (const [folder, table, end] of [
    ['20240101120000_init', 'users', '\n'],
    // Prisma ends some files without a newline.
    ['20240102120000_posts', 'posts', ''],
    ['20240103120000_comments', 'comments', '\n'],
  ] as const) {
    fs.mkdirSync(path.join(f.dir, folder));
    fs.writeFileSync(
      path.join(f.dir, folder, 'migration.sql'),
      `-- CreateTable\nCREATE TABLE "${table}" ("id" INTEGER NOT NULL, CONSTRAINT "${table}_pkey" PRIMARY KEY ("id"));${end}`,
    );
  }
  return f.dir;
}

/** `_prisma_migrations` as Prisma creates it, with one row per [name, finished, rolled back]. */
async function prismaMigrated(db: TestDatabase, rows: [string, boolean, boolean][]): Promise<void> {
  const time = db.dialect === 'postgres' ? 'timestamptz' : 'datetime';
  await db.query(`create table "_prisma_migrations" (
  "id" varchar(36) primary key not null,
  "checksum" varchar(64) not null,
  "finished_at" ${time},
  "migration_name" varchar(255) not null,
  "logs" text,
  "rolled_back_at" ${time},
  "started_at" ${time} not null default current_timestamp,
  "applied_steps_count" integer not null default 0
)`);
  for (const [i, [name, finished, rolledBack]] of rows.entries()) {
    const at = `'2024-01-0${i + 1} 12:00:00'`;
    await db.query(
      `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, rolled_back_at, started_at) values ('id-${i}', 'x', ${finished ? at : 'null'}, '${name}', ${rolledBack ? at : 'null'}, ${at})`,
    );
  }
  if (rows.some(([name, finished]) => name === '20240101120000_init' && finished))
    await db.query('create table users (id integer primary key)');
}

describeEachDialect('Prisma Migrate folders and history', (ctx) => {
  it('a Prisma folder runs as it is: each <timestamp>_<name>/migration.sql an up, named by its folder', async () => {
    const db = ctx.database;
    const dir = prismaFolder();
    const run = await migrate(db, dir, ['latest', '--no-codegen']);
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(db)).map((r) => [r.version, r.name])).toEqual([
      [20240101120000, 'init'],
      [20240102120000, 'posts'],
      [20240103120000, 'comments'],
    ]);
    for (const t of ['users', 'posts', 'comments']) expect(await tableExists(db, t)).toBe(true);
    const status = await migrate(db, dir, ['status']);
    expect(status.stdout).toMatch(/20240103120000_comments\/migration\.sql|comments/);
  });

  it('baseline --from prisma records what Prisma finished (a rolled-back attempt is not applied); latest runs the rest', async () => {
    const db = ctx.database;
    const dir = prismaFolder();
    await prismaMigrated(db, [
      ['20240101120000_init', true, false],
      ['20240102120000_posts', false, true],
      ['20240102120000_posts', true, false],
    ]);
    await db.query('create table posts (id integer primary key)');
    const run = await migrate(db, dir, ['baseline', '--from', 'prisma', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([20240101120000, 20240102120000]);
    expect((await migrate(db, dir, ['latest', '--no-codegen'])).code).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([
      20240101120000, 20240102120000, 20240103120000,
    ]);
    expect(await tableExists(db, 'comments')).toBe(true);
  });

  it('refuses (exit 4, one line, nothing changed) a migration that failed under Prisma', async () => {
    const db = ctx.database;
    const dir = prismaFolder();
    await prismaMigrated(db, [
      ['20240101120000_init', true, false],
      ['20240102120000_posts', false, false],
    ]);
    const run = await migrate(db, dir, ['baseline', '--from', 'prisma', '--yes']);
    expect(run.code).toBe(4);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error: cannot import prisma history: 20240102120000_posts failed under Prisma .*`prisma migrate resolve --applied`/,
    );
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
  });
});

/** The parts of a Supabase project an import touches: the CLI's history table and a Supabase-owned schema. */
async function supabaseShaped(db: TestDatabase, rows: [string, string | null][]): Promise<void> {
  await db.query('create schema auth');
  await db.query('create table auth.users (id uuid primary key, email text)');
  await db.query('create schema supabase_migrations');
  await db.query(
    'create table supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text)',
  );
  for (const [version, name] of rows) {
    await db.query(
      `insert into supabase_migrations.schema_migrations (version, statements, name) values ('${version}', array['-- applied by supabase db push'], ${name === null ? 'null' : `'${name}'`})`,
    );
  }
}

function supabaseFolder(): string {
  const f = writeMigrationFolder({
    '20240101120000_create_profiles.up.sql': 'create table profiles (id uuid primary key, name text);\n',
    '20240102120000_create_notes.up.sql': 'create table notes (id bigint primary key, body text);\n',
    '20240103120000_create_tags.up.sql': 'create table tags (id bigint primary key, label text);\n',
  });
  cleanups.push(f.cleanup);
  return f.dir;
}

describe('baseline --from supabase [postgres]', () => {
  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase('postgres');
    cleanups.push(() => db.drop());
    return db;
  }

  it('matches each Supabase version to a file by version and name, in order', async () => {
    const db = await database();
    const dir = supabaseFolder();
    await supabaseShaped(db, [
      ['20240101120000', 'create_profiles'],
      ['20240102120000', null], // old Supabase CLIs recorded no name: the version alone must match
    ]);
    await db.query('create table profiles (id uuid primary key, name text)');
    await db.query('create table notes (id bigint primary key, body text)');

    const run = await migrate(db, dir, ['baseline', '--from', 'supabase', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await trackingRows(db)).map((r) => [r.version, r.name, r.state])).toEqual([
      [20240101120000, 'create_profiles', 'applied'],
      [20240102120000, 'create_notes', 'applied'],
    ]);
    expect((await historyRows(db))[0]!.details).toBe(
      'imported from supabase (supabase_migrations.schema_migrations, 2 versions up to 20240102120000)',
    );
    // Supabase's own table is left for the Supabase CLI.
    expect(await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).toEqual([
      { n: 2 },
    ]);

    expect((await migrate(db, dir, ['latest'])).code).toBe(0);
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([
      20240101120000, 20240102120000, 20240103120000,
    ]);
    expect(await tableExists(db, 'tags')).toBe(true);
  });

  it.each([
    [
      'a name mismatch',
      [
        ['20240101120000', 'create_profiles'],
        ['20240102120000', 'create_memos'],
      ],
      /version 20240102120000 is "create_memos" in Supabase but the file is 20240102120000_create_notes\.up\.sql/,
    ],
    [
      'a version with no file',
      [
        ['20240101120000', 'create_profiles'],
        ['20231231000000', 'seed_roles'],
      ],
      /version 20231231000000 \(seed_roles\) has no migration file/,
    ],
    [
      'a gap',
      [
        ['20240101120000', 'create_profiles'],
        ['20240103120000', 'create_tags'],
      ],
      /20240102120000_create_notes\.up\.sql is older than the newest Supabase version 20240103120000 but Supabase never applied it \(a gap\)/,
    ],
  ] as [string, [string, string][], RegExp][])(
    'refuses %s: exit 4, one line, nothing changed',
    async (_, rows, message) => {
      const db = await database();
      const dir = supabaseFolder();
      await supabaseShaped(db, rows);
      const run = await migrate(db, dir, ['baseline', '--from', 'supabase', '--yes']);
      expect(run.code).toBe(4);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/; nothing was changed\n$/);
      expect(await tableExists(db, 'schema_migrations')).toBe(false);
      expect(await tableExists(db, 'schema_migrations_history')).toBe(false);
      expect(await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).toEqual([
        { n: 2 },
      ]);
    },
  );

  it('refuses a database the Supabase CLI never migrated, and an already used tracking table', async () => {
    const db = await database();
    const dir = supabaseFolder();
    const none = await migrate(db, dir, ['baseline', '--from', 'supabase', '--yes']);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/supabase_migrations\.schema_migrations does not exist/);

    await supabaseShaped(db, [['20240101120000', 'create_profiles']]);
    expect((await migrate(db, dir, ['latest'])).code).toBe(0);
    const used = await migrate(db, dir, ['baseline', '--from', 'supabase', '--yes']);
    expect(used.code).toBe(4);
    expect(used.stderr).toMatch(
      /schema_migrations already has 3 tracking row\(s\) \(newest 20240103120000\)/,
    );
  });

  it('--from supabase on SQLite is a usage error (exit 2)', async () => {
    const db = await createTestDatabase('sqlite');
    cleanups.push(() => db.drop());
    const run = await migrate(db, supabaseFolder(), ['baseline', '--from', 'supabase', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/supabase needs a PostgreSQL database/);
  });
});
