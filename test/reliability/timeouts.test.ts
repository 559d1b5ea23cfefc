import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { ConnectionError, migrateToLatest } from '../../src/index.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { holdTableLock as holdTableLockOf } from '../support/table-lock.ts';
import { startBlackHoleServer } from './support/black-hole-server.ts';
import { createTempProject, REPO_ROOT, type TempProject } from './support/temp-project.ts';
import { trackingState } from './support/tracking-state.ts';
import { childEnv, runCliProcess, spawnTs } from './support/ts-process.ts';

let database: TestDatabase | undefined;
let project: TempProject | undefined;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  project?.cleanup();
  project = undefined;
  await database?.drop();
  database = undefined;
});

/** holdTableLock, released after the test. */
async function holdTableLock(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const lock = await holdTableLockOf(url, table);
  cleanups.push(lock.release);
  return lock;
}

async function columnExists(db: TestDatabase, table: string, column: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from information_schema.columns where table_name = '${table}' and column_name = '${column}'`,
  );
  return rows.length > 0;
}

describe('lock_timeout on migration DDL [postgres]', () => {
  async function setup(lockRetries = 2): Promise<{ db: TestDatabase; p: TempProject }> {
    database = await createPostgresDatabase();
    project = createTempProject({ '001_a.up.sql': 'create table a (id integer primary key);\n' });
    await migrateToLatest(database.url, { config: { migrationsDir: project.dir }, cwd: project.root });
    project.write('002_add_note.up.sql', 'alter table a add column note text;\n');
    // Short limits so the test takes seconds: 200 ms per attempt, retries after ~250 ms, ~500 ms, …
    project.writeRoot(
      'kysely.config.ts',
      `export default { statementLockTimeoutMs: 200, lockRetries: ${lockRetries} };\n`,
    );
    return { db: database, p: project };
  }

  it('an ALTER TABLE behind another session’s lock is retried with jittered backoff, then exit 4 naming the blocking session', async () => {
    const { db, p } = await setup();
    await holdTableLock(db.url, 'a');
    const [holder] = await db.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = 'report-query'",
    );
    const run = await runCliProcess(['--url', db.url, '--dir', p.dir, 'latest', '--no-codegen'], {
      cwd: p.root,
    });
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(3);
    // 250 ms then 500 ms, each jittered to 50–100 %.
    const delays = lines
      .slice(0, 2)
      .map((l) => Number(/^warning: migration 2 hit lock_timeout; retry \d in (\d+) ms$/.exec(l)?.[1]));
    expect(delays[0]).toBeGreaterThanOrEqual(125);
    expect(delays[0]).toBeLessThanOrEqual(250);
    expect(delays[1]).toBeGreaterThanOrEqual(250);
    expect(delays[1]).toBeLessThanOrEqual(500);
    expect(lines[2]).toMatch(
      new RegExp(
        `^error: 002_add_note\\.up\\.sql: migration 2 up could not get a lock it needs: 3 attempts of lock_timeout 200 ms over [\\d.]+ s, each rolled back, so nothing of it is applied; blocked by pid ${holder!.pid} \\(application_name 'report-query', (on [^,]+, )?idle in transaction since [^)]*s ago, running \`lock table a in access exclusive mode\`\\); let it finish or end it \\(\`SELECT pg_terminate_backend\\(${holder!.pid}\\);\`\\), then run \`.*latest\` again`,
      ),
    );
    // Not a broken migration: never "fix the migration".
    expect(lines[2]).not.toMatch(/fix the migration/);
    expect(run.code).toBe(4);
    expect(await columnExists(db, 'a', 'note')).toBe(false);
    const state = await trackingState(db);
    expect(state.rows?.map((r) => r.version)).toEqual([1]);
    expect(state.history.filter((h) => h.version === 2)).toEqual([]);
    // Nothing of ours is left waiting or holding.
    expect(
      await db.query(
        "select 1 from pg_stat_activity where application_name = 'kmigrate' or wait_event_type = 'Lock'",
      ),
    ).toEqual([]);
  }, 120_000);

  it('the retries stop at the lock timeout in total, whatever lockRetries says', async () => {
    const { db, p } = await setup(50);
    await holdTableLock(db.url, 'a');
    const run = await runCliProcess(
      ['--url', db.url, '--dir', p.dir, 'latest', '--no-codegen', '--lock-timeout', '1500'],
      { cwd: p.root },
    );
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/could not get a lock it needs: \d+ attempts/);
    const attempts = Number(/: (\d+) attempts/.exec(run.stderr)?.[1]);
    expect(attempts).toBeLessThan(10);
    expect(run.ms).toBeLessThan(20_000);
    expect(await columnExists(db, 'a', 'note')).toBe(false);
  }, 120_000);

  it('succeeds on a retry once the other session lets go', async () => {
    // Five retries (up to 6.2 s of backoff): a loaded machine may be slow to let go.
    const { db, p } = await setup(5);
    const lock = await holdTableLock(db.url, 'a');
    const cli = spawnTs(
      `${REPO_ROOT}/scripts/migrate.ts`,
      ['--url', db.url, '--dir', p.dir, 'latest', '--no-codegen'],
      { cwd: p.root, env: childEnv() },
    );
    // Release as soon as the first retry is announced: attempt 2 or 3 must then get the lock.
    const deadline = Date.now() + 60_000;
    while (!cli.stderr().includes('retry 1') && cli.child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await lock.release();
    const { code } = await cli.exited;
    expect(cli.stderr()).toMatch(/^warning: migration 2 hit lock_timeout; retry 1 in \d+ ms$/m);
    expect(cli.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(cli.stdout()).toMatch(/applied\s+2_add_note/);
    expect(await columnExists(db, 'a', 'note')).toBe(true);
    const state = await trackingState(db);
    expect(state.rows?.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(state.history.filter((h) => h.version === 2).map((h) => h.action)).toEqual(['up']);
  }, 120_000);

  it('statement_timeout stops a runaway migration and rolls it back (exit 1)', async () => {
    database = await createPostgresDatabase();
    project = createTempProject({
      '001_slow.up.sql': 'create table slow (id integer);\nselect pg_sleep(30);\n',
    });
    project.writeRoot('kysely.config.ts', 'export default { statementTimeoutMs: 300 };\n');
    const run = await runCliProcess(['--url', database.url, '--dir', project.dir, 'latest', '--no-codegen'], {
      cwd: project.root,
    });
    expect(run.stderr.trim()).toMatch(
      /^error: 001_slow\.up\.sql: migration 1 up failed: canceling statement due to statement timeout \(hint: it ran longer than statement_timeout .*raise it.*\); it was rolled back/,
    );
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(25_000);
    const table = await database.query(`select 1 from pg_tables where tablename = 'slow'`);
    expect(table).toEqual([]);
  }, 120_000);
});

describe('connect timeout [postgres]', () => {
  it('a host that accepts TCP and never answers fails after connectTimeoutMs, not never', async () => {
    const hole = await startBlackHoleServer();
    cleanups.push(() => hole.close());
    const url = `postgres://app:secret@127.0.0.1:${hole.port}/app`;
    // In-process: the time is the connect timeout's, not a process start-up's.
    const started = performance.now();
    const error = await openDatabase(resolveConfig({}, { env: {}, overrides: { url } }).database, {
      connectTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    const ms = performance.now() - started;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/no answer within 1000 ms/);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(5_000);

    // Through the CLI, with the limit from a kysely.config.ts: exit 1, one line, within seconds.
    project = createTempProject({ '001_a.up.sql': 'create table a (id integer);\n' });
    project.writeRoot('kysely.config.ts', 'export default { connectTimeoutMs: 1000 };\n');
    const run = await runCliProcess(['--url', url, '--dir', project.dir, 'latest', '--no-codegen'], {
      cwd: project.root,
      timeoutMs: 30_000,
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^error: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/app: no answer within 1000 ms; check the host, port and firewall/,
    );
    expect(run.stderr).not.toContain('secret');
    expect(run.ms).toBeLessThan(20_000);
  }, 60_000);
});
