import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/dialects/postgres/embedded-server.ts';
import { runCliProcess } from '../support/cli.ts';
import { createPostgresDatabaseOn, type TestDatabase } from '../support/databases.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 10, server-restart variant: PostgreSQL goes down (immediate
 * shutdown) and comes back while a step runs. The CLI fails loudly — one line,
 * exit 1, no `Unhandled 'error' event` — the tracking rows tell the truth, and
 * a rerun (after the printed recovery, when dirty) completes. PostgreSQL only:
 * SQLite has no server. The test owns its server: the run's shared one stays up.
 */
const folder = migrationFolders();
let server: EmbeddedServer;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ prefix: 'kmigrate-test-restart-pg-' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

// Sleeps until the test restarts the server; not on the rerun (the test creates no_sleep first).
const sleeper = (transactional: boolean) =>
  `${transactional ? '' : '-- migrate:no-transaction\n'}create table b (id integer);
select pg_sleep(case when to_regclass('no_sleep') is null then 30 else 0 end) as restart_me;
`;

async function waitForSleep(database: TestDatabase): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const rows = await database.query(
      `select 1 from pg_stat_activity where query like '%restart_me%' and pid <> pg_backend_pid()`,
    );
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the step never reached its pg_sleep');
}

for (const transactional of [true, false]) {
  it(`PostgreSQL restarted during a ${transactional ? 'transactional' : 'non-transactional'} step: one line, exit 1, truthful rows, a rerun completes`, async () => {
    const database = await createPostgresDatabaseOn(server.url);
    try {
      const dir = folder({
        '001_a.ts': tableModule('a'),
        '002_slow.up.sql': sleeper(transactional),
        '003_c.ts': tableModule('c'),
      });
      const cli = (...args: string[]) =>
        runCliProcess(['--url', database.url, '--dir', dir, ...args, '--no-codegen'], { timeoutMs: 90_000 });
      const running = cli('latest');
      await Promise.race([
        waitForSleep(database),
        running.then((r) => {
          throw new Error(`the run ended before the restart (exit ${r.code}): ${r.stderr}`);
        }),
      ]);
      // Step 1 committed asynchronously (durable-once commits, #13): an immediate shutdown within the
      // WAL writer's window (≤ 3 × wal_writer_delay = 600 ms) takes it back, and the run then rightly
      // exits 4 naming it (server-crash.test.ts proves that case). This test is about losing the
      // connection mid-step: it restarts once step 1 is surely on disk.
      await new Promise((r) => setTimeout(r, 1000));
      await server.crashAndRestart();
      const run = await running;

      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toMatch(/Unhandled|\n\s+at /);
      const lines = run.stderr.split('\n').filter((l) => l.trim());
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: 002_slow\.up\.sql(:\d+(:\d+)?)?: migration 2 up failed/);
      expect(lines[0]).toMatch(transactional ? /rolled back/ : /dirty at 2/);
      // The tracking rows, read after the restart: what the server really kept.
      const rows = (await trackingRows(database)).map((r) => [r.version, r.state]);
      expect(await tableExists(database, 'c')).toBe(false);
      if (transactional) {
        expect(rows).toEqual([[1, 'applied']]);
        expect(await tableExists(database, 'b')).toBe(false);
      } else {
        expect(rows).toEqual([
          [1, 'applied'],
          [2, 'running'],
        ]);
        // Outside a transaction `create table b` committed before the restart: the row says dirty.
        expect(await tableExists(database, 'b')).toBe(true);
        const refused = await cli('latest');
        expect(refused.code, refused.stderr).toBe(4);
        // The operator's recovery: undo the half-done step by hand, tell kmigrate it is not applied.
        await database.query('drop table b');
        expect((await cli('force', '2', '--not-applied')).code).toBe(0);
      }
      await database.query('create table no_sleep ()');
      const rerun = await cli('latest');
      expect(rerun.code, rerun.stderr).toBe(0);
      expect((await trackingRows(database)).map((r) => [r.version, r.state])).toEqual([
        [1, 'applied'],
        [2, 'applied'],
        [3, 'applied'],
      ]);
      expect(await tableExists(database, 'b')).toBe(true);
      expect(await tableExists(database, 'c')).toBe(true);
    } finally {
      await database.drop();
    }
  }, 240_000);
}
