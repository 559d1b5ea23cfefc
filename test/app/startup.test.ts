/**
 * Start-up as deployed: `npm start` in a child process, against a real database.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableExists, tableModule, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';
import { type AppProcess, freePort, isListening, spawnApp } from './spawn-app.ts';

const processes: AppProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  for (const c of cleanups.splice(0)) await c();
});
function start(env: Record<string, string>): AppProcess {
  const app = spawnApp(env);
  processes.push(app);
  return app;
}

describeEachDialect('start-up with a broken migration', (ctx) => {
  it('exits non-zero with the migration error on one line, and never listens', async () => {
    const folder = writeMigrationFolder({
      '001_create_ok.ts': tableModule('ok_table'),
      '002_broken.up.sql': 'create table half_done (id integer primary key);\nselect * from no_such_table;\n',
      '002_broken.down.sql': 'drop table half_done;\n',
    });
    cleanups.push(folder.cleanup);
    const port = await freePort();
    const app = start({
      DATABASE_URL: ctx.database.url,
      PORT: String(port),
      KMIGRATE_MIGRATIONS_DIR: folder.dir,
    });

    const { code } = await app.exited;
    expect(code).toBe(1);
    const errorLines = app.stderr().trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/^start-up failed: 002_broken\.up\.sql:2(:\d+)?: migration 2 up failed/);
    expect(errorLines[0]).toMatch(/no_such_table/);
    expect(errorLines[0]).toMatch(/rolled back/);
    expect(app.stdout()).toContain('applied migration 1_create_ok');
    expect(app.stdout()).not.toContain('listening');
    expect(await isListening(port)).toBe(false);

    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(ctx.database, 'ok_table')).toBe(true);
    expect(await tableExists(ctx.database, 'half_done')).toBe(false);
  });
});

describe('start-up with an unreachable database', () => {
  it('exits 1 with one line naming the (redacted) URL, and never listens', async () => {
    const deadPort = await freePort();
    const port = await freePort();
    const app = start({
      DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${deadPort}/app`,
      PORT: String(port),
    });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.stderr()).toBe(
      `start-up failed: cannot connect to postgres://app:***@127.0.0.1:${deadPort}/app: connection refused; is the server running and the host/port right?\n`,
    );
    expect(app.stdout() + app.stderr()).not.toContain('s3cret-pw');
    expect(await isListening(port)).toBe(false);
  });
});

describe('start-up [sqlite]', () => {
  it('migrates, logs each migration, serves; a restart finds nothing to do', async () => {
    const database = await createSqliteDatabase();
    cleanups.push(() => database.drop());
    const first = start({ DATABASE_URL: database.url, PORT: '0' });
    const address = await first.listening;
    const health = await (await fetch(`${address}/health`)).json();
    expect(health).toEqual({ status: 'ok', schemaVersion: 6, pendingMigrations: 0, database: 'sqlite' });
    expect(first.stdout()).toMatch(
      /connecting to sqlite:.*\napplied migration 1_init_schema \(\d+ ms\)\napplied migration 2_optimize_indexes \(\d+ ms\)\napplied migration 3_create_ai_cost_logs \(\d+ ms\)\napplied migration 4_create_policies_table \(\d+ ms\)\napplied migration 5_link_auth_users \(\d+ ms\)\napplied migration 6_users_auth_user_id_index \(\d+ ms\)\nschema migrated to version 6\nlistening on http:\/\/127\.0\.0\.1:\d+\n/,
    );
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = start({ DATABASE_URL: database.url, PORT: '0' });
    await second.listening;
    expect(second.stdout()).toContain('schema is up to date at version 6');
    expect(second.stdout()).not.toContain('applied migration');
    expect((await trackingRows(database)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('start-up [postgres]', () => {
  let database: TestDatabase;
  it('4 processes started at once on a fresh database all come up, and each migration is applied once', async () => {
    database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const apps = Array.from({ length: 4 }, () => start({ DATABASE_URL: database.url, PORT: '0' }));
    const addresses = await Promise.all(apps.map((a) => a.listening));

    for (const address of addresses) {
      const health = await (await fetch(`${address}/health`)).json();
      expect(health).toEqual({ status: 'ok', schemaVersion: 6, pendingMigrations: 0, database: 'postgres' });
    }
    expect((await trackingRows(database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
      [4, 'applied'],
      [5, 'applied'],
      [6, 'applied'],
    ]);
    const history = await database.query<{ version: string; ups: number }>(
      `select version, count(*)::int as ups from schema_migrations_history where action = 'up' group by version order by version`,
    );
    expect(history.map((h) => [Number(h.version), h.ups])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 1],
    ]);
    // Across the four logs, each migration is reported applied exactly once.
    const logs = apps.map((a) => a.stdout()).join('\n');
    for (const name of [
      '1_init_schema',
      '2_optimize_indexes',
      '3_create_ai_cost_logs',
      '4_create_policies_table',
      '5_link_auth_users',
      '6_users_auth_user_id_index',
    ]) {
      expect(logs.split(`applied migration ${name} `).length - 1, name).toBe(1);
    }
    // The password never reaches a log line.
    const password = new URL(database.url).password;
    expect(password).not.toBe('');
    expect(logs + apps.map((a) => a.stderr()).join('')).not.toContain(password);
    expect(logs).toContain(':***@');

    const exits = await Promise.all(apps.map((a) => a.stop()));
    expect(exits).toEqual(Array.from({ length: 4 }, () => ({ code: 0, signal: null })));
  }, 120_000);
});

describe('scripts/create-project.ts', () => {
  it('creates a project and prints a key that authenticates; only its hash is stored', async () => {
    const database = await createSqliteDatabase();
    cleanups.push(() => database.drop());
    const app = start({ DATABASE_URL: database.url, PORT: '0' });
    const address = await app.listening;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/create-project.ts', '--email', 'ada@example.com', '--project', 'demo'],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: database.url },
      },
    );
    const key = stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^km_[A-Za-z0-9_-]{32}$/);
    const res = await fetch(`${address}/v1/policies`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const rows = await database.query<{ key_hash: string }>('select key_hash from project_api_keys');
    expect(rows).toEqual([{ key_hash: createHash('sha256').update(key).digest('hex') }]);
  });
});
