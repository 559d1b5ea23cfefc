import { startEmbeddedPostgres } from '../../../src/dialects/postgres/embedded-server.ts';
import { createPostgresDatabaseOn } from '../../support/databases.ts';
import { campaignMigrations } from './campaign-migrations.ts';
import { buildReference } from './campaign-reference.ts';
import type { CampaignReport } from './campaign-report.ts';
import {
  CRASH_MIGRATIONS,
  CRASH_NON_TRANSACTIONAL_AT,
  type CrashContext,
  checkAfterKill,
  type KillPlan,
  killPlan,
  recover,
  startRunner,
  timeCleanRun,
} from './crash-campaign.ts';
import type { SeededRandom } from './seeded-random.ts';
import { createTempProject } from './temp-project.ts';
import { trackingState } from './tracking-state.ts';

/** Share of the trials that crash the server right after the run exited 0: everything must be there. */
export const AFTER_SUCCESS_SHARE = 0.2;

/**
 * The server-crash campaign (PostgreSQL): a process applying 30 migrations
 * (one non-transactional) while the server has an immediate shutdown
 * (SIGQUIT to the postmaster: WAL not yet written is lost) at a random
 * moment, then restarts with crash recovery. What it proves:
 *  - after recovery the schema equals a clean run's after exactly the
 *    migrations the tracking rows name (or is dirty exactly at the
 *    non-transactional one) — commits may be lost, only whole migrations;
 *  - a run that exited 0 before the crash lost nothing (the run's last
 *    commit is durable, and with it every commit before it);
 *  - the process never exits 0 when the server went away during its run, and
 *    exits 4 (RunNotDurableError) whenever steps it saw commit were lost;
 *  - `force` (when dirty) and `latest` then reach the clean run's schema and rows.
 */
export async function runServerCrashCampaign(options: {
  trials: number;
  random: SeededRandom;
  /** Fixed kinds of trial, in order (the quick test); default: random, AFTER_SUCCESS_SHARE after exit 0. */
  kinds?: readonly ('after-success' | 'mid-run')[];
}): Promise<CampaignReport> {
  const started = performance.now();
  const set = campaignMigrations('postgres', {
    count: CRASH_MIGRATIONS,
    nonTransactionalAt: CRASH_NON_TRANSACTIONAL_AT,
    // Runs of five SQL steps: one round trip each on PostgreSQL, long enough for a kill to land inside.
    sqlRun: 5,
  });
  const project = createTempProject(set.files);
  // Its own durable server: the campaign crashes it, the run's shared server must stay up.
  // The WAL writer flushes asynchronous commits every 10 s only (its maximum; default 200 ms): a
  // crash then loses every commit the run did not make durable itself, instead of rarely any.
  const server = await startEmbeddedPostgres({
    prefix: 'kmigrate-test-crash-pg-',
    durable: true,
    settings: { wal_writer_delay: '10s' },
  });
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  try {
    const reference = await buildReference('postgres', project.dir, CRASH_MIGRATIONS);
    await timeCleanRun('postgres', project);
    const ctx: CrashContext = {
      dialect: 'postgres',
      project,
      reference,
      nonTransactional: set.nonTransactional!,
      timing: await timeCleanRun('postgres', project),
    };
    for (let trial = 0; trial < options.trials; trial++) {
      const kind = options.kinds?.[trial];
      const afterSuccess = kind ? kind === 'after-success' : options.random.next() < AFTER_SUCCESS_SHARE;
      const kill = killPlan(options.random, ctx.timing);
      try {
        const outcome = await serverCrashTrial(ctx, server, afterSuccess ? 'after-success' : kill);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        const when = afterSuccess ? 'after exit 0' : `${kill.delayMs.toFixed(1)} ms after ${kill.anchor}`;
        failures.push(`trial ${trial} (crash ${when}): ${(error as Error).message}`);
      }
    }
    return {
      campaign: 'server-crash',
      dialect: 'postgres',
      seed: options.random.seed,
      trials: options.trials,
      failures: failures.length,
      outcomes,
      durationMs: performance.now() - started,
      failureDetails: failures.slice(0, 10),
      extra: { migrations: CRASH_MIGRATIONS, migratingMs: Math.round(ctx.timing.migratingMs) },
    };
  } finally {
    await server.stop();
    project.cleanup();
  }
}

async function serverCrashTrial(
  ctx: CrashContext,
  server: Awaited<ReturnType<typeof startEmbeddedPostgres>>,
  when: KillPlan | 'after-success',
): Promise<string> {
  const database = await createPostgresDatabaseOn(server.url);
  try {
    const p = startRunner(database.url, ctx.project);
    if (when === 'after-success') {
      const exit = await p.exited;
      if (exit.code !== 0)
        throw new Error(`the run failed before the crash (exit ${exit.code}): ${p.stderr()}`);
      await server.crashAndRestart();
      const state = await trackingState(database);
      const applied = (state.rows ?? []).filter((r) => r.state === 'applied').length;
      if (applied !== CRASH_MIGRATIONS)
        throw new Error(
          `exit 0, then a server crash: only ${applied} of ${CRASH_MIGRATIONS} migrations kept`,
        );
      await checkAfterKill(ctx, database, false);
      return 'crash-after-exit-0-kept-all';
    }
    const anchor =
      when.version === undefined ? '{"type":"ready"' : `{"type":"start","version":${when.version},`;
    await p.waitForLine((l) => l.startsWith(anchor));
    await new Promise((r) => setTimeout(r, when.delayMs));
    await server.crashAndRestart();
    const exit = await p.exited;
    const outcome = await checkAfterKill(ctx, database, true);
    const finishedFirst = p.lines.some((l) => l.startsWith('{"type":"result"'));
    // Steps the process saw commit that the crash took back: whole migrations only (checked above).
    const committed = p.lines.filter((l) => l.startsWith('{"type":"done"')).length;
    const kept = ((await trackingState(database)).rows ?? []).filter((r) => r.state === 'applied').length;
    const lost = committed > kept ? '+commits-lost' : '';
    // Steps it printed as applied are gone: the process must have said so (RunNotDurableError, exit 4).
    if (lost && exit.code !== 4)
      throw new Error(
        `${committed - kept} committed step(s) lost, yet the process exited ${exit.code}, not 4`,
      );
    if ((exit.code === 0 || finishedFirst) && outcome !== 'clean-at-latest')
      throw new Error(`the run reported success, yet after the crash the database is ${outcome}`);
    await recover(ctx, database);
    return `${outcome}${finishedFirst ? '+run-finished-first' : `+exit-${exit.code}`}${lost}`;
  } finally {
    await database.drop();
  }
}
