import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { advisoryLockKey } from '../../src/dialects/lock-key.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';
import { slowModule, spawnCli, stderrLines, stopWith, waitUntil } from './support/signal-process.ts';
import { childEnv, spawnTs } from './support/ts-process.ts';

/**
 * #10 item 9: SIGINT/SIGTERM while a run is under way. The real CLI (one
 * process) gets the signal while a step is known to run; afterwards: the
 * documented exit code (130/143), one line naming the migration and the state,
 * and the database saying the same — tracking rows, tables, and on PostgreSQL
 * no statement still running, no lock and no session left behind.
 */
const folder = migrationFolders();
const markers: string[] = [];
afterEach(() => {
  for (const m of markers.splice(0)) fs.rmSync(m, { force: true });
});
function marker(): string {
  const file = path.join(
    os.tmpdir(),
    `kmigrate-signal-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  markers.push(file);
  return file;
}

/** PostgreSQL: sessions other than the checker's in this database, and advisory locks (ours are the only ones). */
async function leftBehind(database: TestDatabase): Promise<{ sessions: number; locks: number }> {
  const [row] = await database.query<{ sessions: string; locks: string }>(
    `select (select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()) as sessions,
            (select count(*) from pg_locks where locktype = 'advisory') as locks`,
  );
  return { sessions: Number(row?.sessions), locks: Number(row?.locks) };
}

async function expectNothingLeft(database: TestDatabase): Promise<void> {
  if (database.dialect !== 'postgres') return;
  // The process is gone; its backends end as soon as they read the closed socket.
  await waitUntil(
    async () => {
      const left = await leftBehind(database);
      return left.sessions === 0 && left.locks === 0;
    },
    'no session and no advisory lock left',
    10_000,
  );
}

async function sleeping(database: TestDatabase): Promise<boolean> {
  const rows = await database.query(
    // By its wait event: several steps' scripts sent together are longer than the query text the
    // server keeps (track_activity_query_size).
    "select 1 from pg_stat_activity where datname = current_database() and state = 'active' and wait_event = 'PgSleep' and pid <> pg_backend_pid()",
  );
  return rows.length > 0;
}

describeEachDialect('a signal while a step runs', (ctx) => {
  const postgres = () => ctx.dialect === 'postgres';

  it('SIGINT during a transactional step: cancelled, rolled back, lock released, exit 130', async () => {
    const started = marker();
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_slow.ts': slowModule({ table: 'b', marker: started, transactional: true, postgres: postgres() }),
      '003_c.ts': tableModule('c'),
    });
    const p = spawnCli(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      () => fs.existsSync(started),
      () => `migration 2 to start (stderr: ${p.stderr()})`,
    );
    if (postgres()) await waitUntil(() => sleeping(ctx.database), 'pg_sleep on the server');
    const exit = await stopWith(p, 'SIGINT');
    expect(exit.code, p.stderr()).toBe(130);
    expect(exit.ms).toBeLessThan(10_000);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: 002_slow\.ts: interrupted by SIGINT while migration 2_slow ran up: its statement was cancelled and its transaction rolled back, so migration 2 is not applied; run `.*latest` to continue$/,
    );
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    await expectNothingLeft(ctx.database);
  }, 120_000);

  it('SIGTERM during a non-transactional step: cancelled, row dirty saying so, lock released, exit 143', async () => {
    const started = marker();
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_slow.ts': slowModule({ table: 'b', marker: started, transactional: false, postgres: postgres() }),
      '003_c.ts': tableModule('c'),
    });
    const p = spawnCli(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      () => fs.existsSync(started),
      () => `migration 2 to start (stderr: ${p.stderr()})`,
    );
    if (postgres()) await waitUntil(() => sleeping(ctx.database), 'pg_sleep on the server');
    const exit = await stopWith(p, 'SIGTERM');
    expect(exit.code, p.stderr()).toBe(143);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: 002_slow\.ts: interrupted by SIGTERM while migration 2_slow ran up outside a transaction: its statement was cancelled; the database is now dirty at 2; inspect it, then run `.*force 2` or `.*force 2 --not-applied`$/,
    );
    const rows = await ctx.database.query<{ version: number; state: string; error: string | null }>(
      'select version, state, error from schema_migrations order by version',
    );
    expect(rows.map((r) => [Number(r.version), r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    expect(rows[1]?.error).toMatch(/^interrupted by SIGTERM: /);
    // Outside a transaction, what ran before the signal stays: the row says dirty, truthfully.
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    await expectNothingLeft(ctx.database);
    // Nobody holds the lock: dirty, not in progress.
    const status = await runCliInProcess(['--url', ctx.database.url, '--dir', dir, 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ dirty: true, inProgress: false });
  }, 120_000);

  it('SIGINT while waiting for the migration lock: exit 130 at once, nothing changed', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    const release = await holdMigrationLock(ctx.database);
    try {
      // --verbose logs the first read (before the lock wait) on stderr: the run is under way.
      const p = spawnCli(
        ['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen', '--verbose'],
        dir,
      );
      await waitUntil(() => p.stderr().includes('sql ('), 'the first query');
      await new Promise((r) => setTimeout(r, 300));
      const exit = await stopWith(p, 'SIGINT');
      expect(exit.code, p.stderr()).toBe(130);
      const lines = stderrLines(p).filter((l) => !l.startsWith('sql ('));
      expect(lines, p.stderr()).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: interrupted by SIGINT while no migration was running/);
    } finally {
      await release();
    }
    const rows = await ctx.database
      .query('select version from schema_migrations')
      .catch(() => [] as unknown[]);
    expect(rows).toEqual([]);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    await expectNothingLeft(ctx.database);
  }, 120_000);
});

/**
 * Holds the migration lock as another migrator would: PostgreSQL's advisory lock
 * for public.schema_migrations; SQLite's `.kmigrate-lock` write lock.
 */
async function holdMigrationLock(database: TestDatabase): Promise<() => Promise<void>> {
  if (database.dialect === 'sqlite') {
    const file = database.url.replace(/^sqlite:/, '');
    const holder = new Database(
      `${fs.realpathSync(path.dirname(file))}/${path.basename(file)}.kmigrate-lock`,
    );
    holder.exec('begin immediate');
    return async () => {
      holder.exec('rollback');
      holder.close();
    };
  }
  const client = new pg.Client({ connectionString: database.url, application_name: 'lock-holder' });
  await client.connect();
  await client.query(`select pg_advisory_lock(${advisoryLockKey('public', 'schema_migrations')})`);
  return async () => {
    await client.end();
  };
}

it('PostgreSQL: SIGINT during CREATE INDEX CONCURRENTLY names the INVALID index it left, exit 130', async () => {
  const database = await createPostgresDatabase();
  const holder = new pg.Client({ connectionString: database.url });
  try {
    await database.query('create table t (x integer)');
    // An open writer on t: the concurrent build waits for it, with its INVALID index already in the catalog.
    await holder.connect();
    await holder.query('begin');
    await holder.query('insert into t values (1)');
    const dir = folder({
      '001_t_x.up.sql': 'create index concurrently t_x_idx on t (x);\n',
      '001_t_x.down.sql': 'drop index concurrently t_x_idx;\n',
    });
    const p = spawnCli(['--url', database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      async () =>
        (
          await database.query(
            "select 1 from pg_stat_activity where query like 'create index concurrently%' and wait_event_type = 'Lock'",
          )
        ).length > 0,
      'the concurrent build to wait for the writer',
    );
    const exit = await stopWith(p, 'SIGINT');
    expect(exit.code, p.stderr()).toBe(130);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: 001_t_x\.up\.sql: interrupted by SIGINT while migration 1_t_x ran up outside a transaction/,
    );
    expect(lines[0]).toContain(
      'it left the INVALID index "public"."t_x_idx" and the database is now dirty at 1; run `DROP INDEX CONCURRENTLY IF EXISTS "public"."t_x_idx";`',
    );
    const rows = await database.query<{ state: string; error: string }>(
      'select state, error from schema_migrations',
    );
    expect(rows.map((r) => r.state)).toEqual(['running']);
    expect(rows[0]?.error).toContain('DROP INDEX CONCURRENTLY IF EXISTS "public"."t_x_idx";');
    expect(
      await database.query(
        "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 't_x_idx'",
      ),
    ).toEqual([{ indisvalid: false }]);
    await holder.query('rollback');
    await holder.end();
    await expectNothingLeft(database);
  } finally {
    await holder.end().catch(() => undefined);
    await database.drop();
  }
}, 120_000);

it('PostgreSQL: SIGINT during an SQL step sent in one round trip with the steps around it: the one before applied and said so, this one rolled back, the next never ran', async () => {
  const database = await createPostgresDatabase();
  try {
    const dir = folder({
      '001_a.up.sql': 'create table a (id integer);\n',
      '002_slow.up.sql': 'create table b (id integer);\nselect pg_sleep(30);\n',
      '003_c.up.sql': 'create table c (id integer);\n',
    });
    const p = spawnCli(['--url', database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      () => sleeping(database),
      () => `pg_sleep on the server (stderr: ${p.stderr()})`,
    );
    const exit = await stopWith(p, 'SIGINT');
    expect(exit.code, p.stderr()).toBe(130);
    // 001, 002 and 003 went in one round trip (decision 0007): 001's COMMIT is confirmed when it came
    // back cancelled, and read from the session's marker.
    expect(p.stdout()).toMatch(/applied\s+1_a\b/);
    expect(p.stdout()).not.toMatch(/applied\s+2_slow\b/);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /interrupted by SIGINT while migration 2_slow ran up: .*rolled back, so migration 2 is not applied/,
    );
    expect((await trackingRows(database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(database, 'a')).toBe(true);
    expect(await tableExists(database, 'b')).toBe(false);
    expect(await tableExists(database, 'c')).toBe(false);
    await expectNothingLeft(database);
  } finally {
    await database.drop();
  }
}, 120_000);

it('PostgreSQL: a second SIGINT during clean-up exits at once; the row stays dirty (never wrong)', async () => {
  const database = await createPostgresDatabase();
  try {
    const started = marker();
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_stubborn.ts': slowModule({
        table: 'b',
        marker: started,
        transactional: false,
        postgres: true,
        stubborn: true,
      }),
    });
    const p = spawnCli(['--url', database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      () => fs.existsSync(started),
      () => `migration 2 to start (stderr: ${p.stderr()})`,
    );
    await waitUntil(() => sleeping(database), 'pg_sleep on the server');
    p.child.kill('SIGINT');
    // The step swallows the cancellation and sleeps again: the clean-up waits behind it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(p.child.exitCode).toBeNull();
    const exit = await stopWith(p, 'SIGINT', 5_000);
    expect(exit.code, p.stderr()).toBe(130);
    expect(exit.ms).toBeLessThan(3_000);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: SIGINT again during clean-up: exiting now; migration 2_stubborn was running outside a transaction: the database is dirty at 2/,
    );
    // The server ends the orphaned statement; then the row says what happened: dirty at 2.
    await database.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'kmigrate'",
    );
    await expectNothingLeft(database);
    expect((await trackingRows(database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    const status = await runCliInProcess(['--url', database.url, '--dir', dir, 'status', '--check']);
    expect(status.code).toBe(4);
  } finally {
    await database.drop();
  }
}, 120_000);

it('PostgreSQL: SIGTERM during an app start-up (migrateToLatest) stops it the same way, exit 143', async () => {
  const database = await createPostgresDatabase();
  try {
    const started = marker();
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_slow.ts': slowModule({ table: 'b', marker: started, transactional: true, postgres: true }),
    });
    const runner = path.join(import.meta.dirname, 'support/migrate-runner.ts');
    const p = spawnTs(runner, [JSON.stringify({ url: database.url, dir })], { cwd: dir, env: childEnv() });
    await waitUntil(
      () => fs.existsSync(started),
      () => `migration 2 to start (stderr: ${p.stderr()})`,
    );
    await waitUntil(() => sleeping(database), 'pg_sleep on the server');
    const exit = await stopWith(p, 'SIGTERM');
    expect(exit.code, p.stderr()).toBe(143);
    const error = p.lines
      .map((l) => JSON.parse(l) as { type: string; name?: string; message?: string })
      .find((e) => e.type === 'error');
    expect(error?.name).toBe('MigrationInterruptedError');
    expect(error?.message).toMatch(/interrupted by SIGTERM while migration 2_slow ran up: .* rolled back/);
    expect((await trackingRows(database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(database, 'b')).toBe(false);
    await expectNothingLeft(database);
  } finally {
    await database.drop();
  }
}, 120_000);
