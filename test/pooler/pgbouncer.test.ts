import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { campaignMigrations } from '../reliability/support/campaign-migrations.ts';
import { reportCampaign } from '../reliability/support/campaign-report.ts';
import { runConcurrencyCampaign } from '../reliability/support/concurrency-campaign.ts';
import { createTempProject, type TempProject } from '../reliability/support/temp-project.ts';
import { databaseFingerprint } from '../reliability/support/tracking-state.ts';
import { runCliProcess } from '../reliability/support/ts-process.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { type PgBouncer, pgbouncerTool, startPgBouncer } from '../support/pgbouncer.ts';

const tool = pgbouncerTool();

/** The database name of a test database's URL, to reach it through the pooler. */
function databaseName(database: TestDatabase): string {
  return new URL(database.url).pathname.slice(1);
}

// Skipped only where pgbouncer is not installed (the skip prints how to install it); CI sets
// KMIGRATE_REQUIRE_PGBOUNCER=1, which turns its absence into a failure instead.
describe.skipIf(!tool.available)('behind a real PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  let database: TestDatabase | undefined;
  let project: TempProject | undefined;

  beforeAll(async () => {
    // A small pool: 8 migrators share 4 server connections, so transaction pooling really happens.
    bouncer = await startPgBouncer({ upstreamUrl: inject('pgAdminUrl'), poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });
  afterEach(async () => {
    project?.cleanup();
    project = undefined;
    await database?.drop();
    database = undefined;
  });

  it('8 processes run latest at once through it: every transactional migration is applied exactly once', async () => {
    const report = await runConcurrencyCampaign({
      campaign: 'concurrency-pgbouncer',
      dialect: 'postgres',
      trials: 2,
      processes: 8,
      urlFor: (db) => bouncer.urlFor(databaseName(db), { params: 'pgbouncer=true' }),
    });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  }, 300_000);

  it('refuses a non-transactional migration when the URL says pgbouncer=true (exit 2), and changes nothing', async () => {
    database = await createPostgresDatabase();
    const set = campaignMigrations('postgres', { count: 18, nonTransactionalAt: 17 });
    project = createTempProject(set.files);
    const url = bouncer.urlFor(databaseName(database), { params: 'pgbouncer=true' });
    const before = await databaseFingerprint(database);
    const run = await runCliProcess(['--url', url, '--dir', project.dir, 'latest', '--no-codegen'], {
      cwd: project.root,
    });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: migration 17 must run outside a transaction/);
    expect(lines[0]).toMatch(/pgbouncer=true/);
    expect(lines[0]).toMatch(/direct connection.*session pooler/);
    // Refused at plan time: not even the tracking table was created, and no earlier migration ran.
    expect(await databaseFingerprint(database)).toBe(before);
  }, 120_000);

  it('the same folder through the direct connection applies all 18, the non-transactional one included', async () => {
    database = await createPostgresDatabase();
    const set = campaignMigrations('postgres', { count: 18, nonTransactionalAt: 17 });
    project = createTempProject(set.files);
    const run = await runCliProcess(['--url', database.url, '--dir', project.dir, 'latest', '--no-codegen'], {
      cwd: project.root,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = await database.query<{ n: string }>(
      `select count(*) as n from schema_migrations where state = 'applied'`,
    );
    expect(Number(rows[0]?.n)).toBe(18);
    const index = await database.query(`select 1 from pg_indexes where indexname = 'nt_t001_label'`);
    expect(index).toHaveLength(1);
  }, 120_000);

  it('transaction pooling is observable without the URL flag: two client sessions share one server backend', async () => {
    // The basis of the auto-detection proposed in docs/reliability.md: a positive answer is proof.
    database = await createPostgresDatabase();
    expect(await twoSessionsShareABackend(bouncer.urlFor(databaseName(database)))).toBe(true);
    expect(await twoSessionsShareABackend(database.url)).toBe(false);
  }, 60_000);
});

// Same optional tool as above.
describe.skipIf(!tool.available)('behind a real PgBouncer in session mode', () => {
  it('two client sessions never share a backend (the probe gives no false positive)', async () => {
    const bouncer = await startPgBouncer({
      upstreamUrl: inject('pgAdminUrl'),
      poolMode: 'session',
      poolSize: 4,
    });
    const database = await createPostgresDatabase();
    try {
      expect(await twoSessionsShareABackend(bouncer.urlFor(databaseName(database)))).toBe(false);
    } finally {
      await bouncer.stop();
      await database.drop();
    }
  }, 60_000);
});

/**
 * The probe: session A asks for its backend pid and goes idle (still open);
 * session B asks too. Directly or through a session pooler each session owns
 * its backend, so the pids differ. Through a transaction pooler A's backend
 * went back to the pool after its statement and PgBouncer (LIFO) hands it to B.
 */
async function twoSessionsShareABackend(url: string): Promise<boolean> {
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await a.connect();
  await b.connect();
  try {
    const pidA = (await a.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const pidB = (await b.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    return pidA === pidB;
  } finally {
    await a.end();
    await b.end();
  }
}
