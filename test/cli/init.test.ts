/**
 * `kmigrate init` (never overwrites, idempotent, --ci) and `init --from-live`
 * on SQLite; PostgreSQL's pg_dump path runs in test/package/adoption.test.ts.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { trackingRows } from '../support/migration-folder.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { validateWorkflow } = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow(src: string): { errors: unknown[] };
};

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function project(packageJson: object | undefined = { name: 'app', version: '1.0.0' }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-init-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (packageJson)
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 4)}\n`);
  // As after `npm install kmigrate`: the written config imports defineConfig from the package.
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'kmigrate'));
  return dir;
}

it('writes config, folder, npm script and CI workflow once; a second run changes nothing', async () => {
  const dir = project({ name: 'app', version: '1.0.0', scripts: { test: 'node --test' } });
  const first = await runCliInProcess(['init', '--ci'], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  const config = fs.readFileSync(path.join(dir, 'kysely.config.ts'), 'utf8');
  expect(config).toContain("import { defineConfig } from 'kmigrate';");
  expect(config).toContain("migrationsDir: 'migrations'");
  const pkgText = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
  // The file's own indentation (4) is kept.
  expect(pkgText).toContain(
    '\n    "scripts": {\n        "test": "node --test",\n        "migrate": "kmigrate"\n    }',
  );
  const workflow = fs.readFileSync(path.join(dir, '.github/workflows/migrations.yml'), 'utf8');
  expect(validateWorkflow(workflow).errors).toEqual([]);
  // The workflow runs the project's own script, never this repository's.
  expect(workflow).toContain('run: npm run migrate -- verify');

  const before = Object.fromEntries(
    ['kysely.config.ts', 'package.json', '.github/workflows/migrations.yml'].map((f) => [
      f,
      fs.readFileSync(path.join(dir, f), 'utf8'),
    ]),
  );
  fs.writeFileSync(path.join(dir, 'migrations', '001_mine.up.sql'), 'select 1;\n');
  const second = await runCliInProcess(['init', '--ci'], { cwd: dir });
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toContain('Already set up: nothing to do.');
  for (const [file, text] of Object.entries(before))
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(text);
  expect(fs.readdirSync(path.join(dir, 'migrations')).sort()).toEqual([
    '.gitkeep',
    '001_mine.up.sql',
    'kmigrate.sum',
  ]);
});

it('keeps an existing config of any accepted name, and a script that already runs kmigrate', async () => {
  const dir = project({ name: 'app', scripts: { db: 'kmigrate --config .config/kysely.config.ts' } });
  fs.mkdirSync(path.join(dir, '.config'));
  fs.writeFileSync(path.join(dir, '.config', 'kysely.config.ts'), 'export default {};\n');
  const result = await runCliInProcess(['init', '--json'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  const { steps } = JSON.parse(result.stdout) as { steps: { path: string; status: string }[] };
  expect(steps.map((s) => `${s.status} ${s.path}`)).toEqual([
    'kept .config/kysely.config.ts',
    'created migrations/',
    'kept package.json',
  ]);
  expect(fs.existsSync(path.join(dir, 'kysely.config.ts'))).toBe(false);
});

async function liveSqlite(): Promise<TestDatabase> {
  const database = await createSqliteDatabase();
  cleanups.push(() => database.drop());
  for (const statement of [
    'create table authors (id integer primary key autoincrement, email text not null unique)',
    'create table posts (id integer primary key, author_id integer not null references authors(id), title text)',
    'create index posts_author on posts (author_id)',
    'create view post_titles as select title from posts',
    'create trigger posts_title after insert on posts begin update posts set title = trim(title) where id = new.id; end',
    "insert into authors (email) values ('a@example.com')",
  ])
    await database.query(statement);
  return database;
}

it('--from-live on SQLite: the first migration rebuilds the schema, is recorded applied; verify and drift pass', async () => {
  const database = await liveSqlite();
  const dir = project();
  const cli = (...args: string[]) => runCliInProcess(['--url', database.url, ...args], { cwd: dir });
  const adopted = await cli('init', '--from-live');
  expect(adopted.code, adopted.stderr).toBe(0);
  expect(adopted.stdout).toContain('recorded as applied, version 1');
  const up = fs.readFileSync(path.join(dir, 'migrations', '001_existing_schema.up.sql'), 'utf8');
  expect(up).toContain('CREATE TABLE posts');
  expect(up).toContain('CREATE TRIGGER posts_title');
  expect(await trackingRows(database)).toEqual([
    expect.objectContaining({ version: 1, name: 'existing_schema', state: 'applied' }),
  ]);
  // Recorded, not run: the rows are still there.
  expect(await database.query('select count(*) as n from authors')).toEqual([{ n: 1 }]);
  expect((await cli('verify')).code).toBe(0);
  expect((await cli('drift')).code).toBe(0);
  // The new project's integrity sum names the adopted migration.
  expect((await cli('sum', '--check')).code).toBe(0);

  const again = await cli('init', '--from-live');
  expect(again.code).toBe(4);
  expect(again.stderr).toMatch(/already has 1 migration\(s\); nothing was written/);
});

it('--from-live refuses an empty database and an already tracked one, writing nothing', async () => {
  const empty = await createSqliteDatabase();
  cleanups.push(() => empty.drop());
  const dir = project();
  const result = await runCliInProcess(['--url', empty.url, 'init', '--from-live'], { cwd: dir });
  expect(result.code).toBe(4);
  expect(result.stderr).toMatch(/has no tables or other objects to adopt; nothing was written/);
  expect(fs.readdirSync(path.join(dir, 'migrations')).sort()).toEqual(['.gitkeep', 'kmigrate.sum']);

  const tracked = await liveSqlite();
  const other = project();
  fs.mkdirSync(path.join(other, 'elsewhere'));
  fs.writeFileSync(path.join(other, 'elsewhere', '001_x.up.sql'), 'create table x (id integer);\n');
  expect(
    (await runCliInProcess(['--url', tracked.url, '--dir', 'elsewhere', 'latest'], { cwd: other })).code,
  ).toBe(0);
  const refused = await runCliInProcess(['--url', tracked.url, 'init', '--from-live'], { cwd: other });
  expect(refused.code).toBe(4);
  expect(refused.stderr).toMatch(/is already tracked by kmigrate \(version 1\)/);
  expect(fs.readdirSync(path.join(other, 'migrations')).sort()).toEqual(['.gitkeep', 'kmigrate.sum']);
  expect((await trackingRows(tracked)).map((r) => r.version)).toEqual([1]);
});

it('a Supabase URL (or --platform supabase) gives the new config platform: supabase; a plain one does not', async () => {
  const supabase = project();
  const url =
    'postgres://postgres.abcdefghijklmnopqrst:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';
  const result = await runCliInProcess(['--url', url, 'init'], { cwd: supabase });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout + result.stderr).not.toContain(':pw@');
  expect(fs.readFileSync(path.join(supabase, 'kysely.config.ts'), 'utf8')).toContain("platform: 'supabase',");

  const flagged = project();
  expect((await runCliInProcess(['--platform', 'supabase', 'init'], { cwd: flagged })).code).toBe(0);
  expect(fs.readFileSync(path.join(flagged, 'kysely.config.ts'), 'utf8')).toContain("platform: 'supabase',");

  const plain = project();
  const local = await runCliInProcess(['--url', 'postgres://u:pw@localhost:5432/app', 'init'], {
    cwd: plain,
  });
  expect(local.code, local.stderr).toBe(0);
  expect(fs.readFileSync(path.join(plain, 'kysely.config.ts'), 'utf8')).not.toContain('platform');
});

it("a PostgreSQL database with Supabase's managed schemas is detected by its schemas; a kept config gets a hint, never a rewrite", async () => {
  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  // A self-hosted or restored Supabase database: a plain URL, the platform's schemas inside.
  const plain = project();
  const before = await runCliInProcess(['--url', database.url, 'init'], { cwd: plain });
  expect(before.code, before.stderr).toBe(0);
  expect(fs.readFileSync(path.join(plain, 'kysely.config.ts'), 'utf8')).not.toContain('platform');

  for (const schema of ['auth', 'storage', 'realtime']) await database.query(`create schema ${schema}`);
  const detected = project();
  const result = await runCliInProcess(['--url', database.url, 'init'], { cwd: detected });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('Detected a Supabase project (from its managed schemas');
  expect(fs.readFileSync(path.join(detected, 'kysely.config.ts'), 'utf8')).toContain("platform: 'supabase',");

  // The config written first (no platform) is kept as it is; init says what to add.
  const config = fs.readFileSync(path.join(plain, 'kysely.config.ts'), 'utf8');
  const again = await runCliInProcess(['--url', database.url, 'init'], { cwd: plain });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(
    /This database is a Supabase project \(its managed schemas\): add `platform: 'supabase'` to kysely\.config\.ts/,
  );
  expect(fs.readFileSync(path.join(plain, 'kysely.config.ts'), 'utf8')).toBe(config);
  // --platform none wins over detection.
  const off = project();
  expect(
    (await runCliInProcess(['--url', database.url, '--platform', 'none', 'init'], { cwd: off })).code,
  ).toBe(0);
  expect(fs.readFileSync(path.join(off, 'kysely.config.ts'), 'utf8')).not.toContain('platform');
  // An unreachable database is not an error for init: nothing detected, the config is written.
  const unreachable = project();
  const down = await runCliInProcess(['--url', 'postgres://u:sentinel-pw@127.0.0.1:1/app', 'init'], {
    cwd: unreachable,
  });
  expect(down.code, down.stderr).toBe(0);
  expect(down.stdout + down.stderr).not.toContain('sentinel-pw');
  expect(fs.readFileSync(path.join(unreachable, 'kysely.config.ts'), 'utf8')).not.toContain('platform');
});
