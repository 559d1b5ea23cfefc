import { migrateToLatest } from '../../../src/index.ts';
import { createTestDatabase, type Dialect, type TestDatabase } from '../../support/databases.ts';
import { campaignMigrations } from './campaign-migrations.ts';
import { buildReference, type CampaignReference, rowKeys } from './campaign-reference.ts';
import type { CampaignReport } from './campaign-report.ts';
import { catalogSnapshot } from './catalog-snapshot.ts';
import { runnerBundle } from './runner-bundle.ts';
import type { SeededRandom } from './seeded-random.ts';
import { createTempProject, type TempProject } from './temp-project.ts';
import { trackingState, waitForIdle } from './tracking-state.ts';
import { childEnv, runCliProcess, spawnTs } from './ts-process.ts';

export const CRASH_MIGRATIONS = 30;
export const CRASH_NON_TRANSACTIONAL_AT = 17;

/** SIGKILL: a crash. SIGINT/SIGTERM: a stop request the run must honour cleanly (#10 item 9). */
export type CampaignSignal = 'SIGKILL' | 'SIGINT' | 'SIGTERM';
const SIGNAL_EXIT: Record<Exclude<CampaignSignal, 'SIGKILL'>, number> = { SIGINT: 130, SIGTERM: 143 };

export interface CrashContext {
  dialect: Dialect;
  /** What stops the runner (default SIGKILL). */
  signal?: CampaignSignal;
  project: TempProject;
  reference: CampaignReference;
  nonTransactional: { version: number; index: string };
  /** A clean run's timeline, by the runner's own clock. */
  timing: RunTiming;
}

/**
 * The crash campaign: a process applying 30 migrations (one of them
 * non-transactional) is killed with SIGKILL at a random moment. After each
 * kill the database must be at a clean version (schema == the clean run's
 * after that many migrations) or dirty exactly at the non-transactional one;
 * then `force` (decided by looking at the catalog, as an operator would) and
 * `latest` must reach the clean run's schema and tracking rows.
 */
export async function runCrashCampaign(options: {
  dialect: Dialect;
  trials: number;
  random: SeededRandom;
  /** Default SIGKILL (the crash campaign); SIGINT/SIGTERM make it the signal campaign. */
  signal?: CampaignSignal;
}): Promise<CampaignReport> {
  const signal = options.signal ?? 'SIGKILL';
  const started = performance.now();
  const set = campaignMigrations(options.dialect, {
    count: CRASH_MIGRATIONS,
    nonTransactionalAt: CRASH_NON_TRANSACTIONAL_AT,
    // Runs of five SQL steps: one round trip each on PostgreSQL, long enough for a kill to land inside.
    sqlRun: 5,
  });
  const project = createTempProject(set.files);
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  try {
    const reference = await buildReference(options.dialect, project.dir, CRASH_MIGRATIONS);
    // Two clean runs: the first warms the file cache, the second gives the timeline.
    await timeCleanRun(options.dialect, project);
    const ctx: CrashContext = {
      dialect: options.dialect,
      signal,
      project,
      reference,
      nonTransactional: set.nonTransactional!,
      timing: await timeCleanRun(options.dialect, project),
    };
    for (let trial = 0; trial < options.trials; trial++) {
      const kill = killPlan(options.random, ctx.timing);
      try {
        const outcome = await crashTrial(ctx, kill);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        failures.push(
          `trial ${trial} (kill ${kill.delayMs.toFixed(1)} ms after ${kill.anchor}): ${(error as Error).message}`,
        );
      }
    }
    return {
      campaign: signal === 'SIGKILL' ? 'crash' : `signal ${signal}`,
      dialect: options.dialect,
      seed: options.random.seed,
      trials: options.trials,
      failures: failures.length,
      outcomes,
      durationMs: performance.now() - started,
      failureDetails: failures.slice(0, 10),
      extra: {
        startupMs: Math.round(ctx.timing.startupMs),
        migratingMs: Math.round(ctx.timing.migratingMs),
        nonTransactionalMs: Math.round(
          ctx.timing.steps.find((st) => st.version === CRASH_NON_TRANSACTIONAL_AT)?.ms ?? 0,
        ),
        migrations: CRASH_MIGRATIONS,
      },
    };
  } finally {
    project.cleanup();
  }
}

export function startRunner(url: string, project: TempProject) {
  return spawnTs(runnerBundle(), [JSON.stringify({ url, dir: project.dir })], {
    cwd: project.root,
    env: childEnv(),
  });
}

export interface RunTiming {
  /** "ready" (modules loaded) → migration 1 starts: connect, read, create the tracking tables. */
  startupMs: number;
  /** Migration 1 starts → the last one is done. */
  migratingMs: number;
  /** Each migration's share of that: from its start to the next one's start (or the end). */
  steps: { version: number; ms: number }[];
}

/** Share of the kills that land during start-up (tracking-table creation); the rest while migrating. */
export const STARTUP_SHARE = 0.1;

export interface KillPlan {
  /** Kill this long after the runner reports `ready`, or after migration N starts. */
  anchor: 'ready' | `migration ${number}`;
  version?: number;
  delayMs: number;
}

/**
 * A uniformly random moment of a clean run, anchored to the runner's own
 * progress lines (a loaded machine runs slower, and the runner's start-up
 * varies most): pick a point on the clean run's migrating timeline, find the
 * migration running then, and kill that far into it once it starts. Long steps
 * (the non-transactional one) get proportionally more kills.
 */
export function killPlan(random: SeededRandom, timing: RunTiming): KillPlan {
  const r = random.next();
  if (r < STARTUP_SHARE) return { anchor: 'ready', delayMs: (r / STARTUP_SHARE) * timing.startupMs };
  let at = ((r - STARTUP_SHARE) / (1 - STARTUP_SHARE)) * timing.migratingMs;
  for (const step of timing.steps) {
    if (at < step.ms) return { anchor: `migration ${step.version}`, version: step.version, delayMs: at };
    at -= step.ms;
  }
  const last = timing.steps.at(-1)!;
  return { anchor: `migration ${last.version}`, version: last.version, delayMs: last.ms };
}

export async function timeCleanRun(dialect: Dialect, project: TempProject): Promise<RunTiming> {
  const database = await createTestDatabase(dialect);
  try {
    const p = startRunner(database.url, project);
    const { code } = await p.exited;
    if (code !== 0) throw new Error(`clean run failed (exit ${code}): ${p.stderr()}`);
    // The runner's own clock: the moments it reached each point, not when we read the lines.
    const events = p.lines.map((l) => JSON.parse(l) as { type: string; t: number; version?: number });
    const at = (type: string) => events.find((e) => e.type === type)!.t;
    const starts = events.filter((e) => e.type === 'start');
    const end = at('result');
    const steps = starts.map((e, i) => ({ version: e.version!, ms: (starts[i + 1]?.t ?? end) - e.t }));
    return { startupMs: at('start') - at('ready'), migratingMs: end - at('start'), steps };
  } finally {
    await database.drop();
  }
}

/** One kill and its recovery; returns the outcome's name or throws a description of the violation. */
async function crashTrial(ctx: CrashContext, kill: KillPlan): Promise<string> {
  const database = await createTestDatabase(ctx.dialect);
  try {
    const p = startRunner(database.url, ctx.project);
    const anchor =
      kill.version === undefined ? '{"type":"ready"' : `{"type":"start","version":${kill.version},`;
    await p.waitForLine((l) => l.startsWith(anchor));
    await new Promise((r) => setTimeout(r, kill.delayMs));
    const sent = ctx.signal ?? 'SIGKILL';
    p.child.kill(sent);
    const exit = await p.exited;
    const clean = sent !== 'SIGKILL';
    if (clean) {
      // A stop request: the documented exit code (0 when the run had finished), never a death by the
      // signal once the run is under way, and the statement cancelled: no session left within seconds.
      const stopped = exit.code === SIGNAL_EXIT[sent as 'SIGINT'];
      // Before the run began, or once every migration was done, nothing is under way: Node's default
      // for the signal (death by it) is what a caller gets there, and the state checks still apply.
      const outsideRun =
        exit.signal === sent &&
        (!p.lines.some((l) => l.startsWith('{"type":"start"')) ||
          p.lines.filter((l) => l.startsWith('{"type":"done"')).length === CRASH_MIGRATIONS);
      if (!stopped && exit.code !== 0 && !outsideRun)
        throw new Error(`exit ${exit.code ?? exit.signal} after ${sent}: ${p.stderr().slice(0, 300)}`);
      await waitForIdle(database, 5_000);
    } else {
      await waitForIdle(database);
    }
    const events = p.lines.map((l) => JSON.parse(l) as { type: string; version?: number });
    const started = events.filter((e) => e.type === 'start').map((e) => e.version);
    const finished = events.filter((e) => e.type === 'done').length;
    const killed = clean ? exit.code !== 0 : exit.signal === 'SIGKILL';
    const outcome = await checkAfterKill(ctx, database, killed);
    const killedInside =
      killed && started.length > finished
        ? started.at(-1) === ctx.nonTransactional.version
          ? '+inside-non-transactional'
          : '+inside-transactional'
        : '';
    await recover(ctx, database);
    return `${outcome}${killedInside}`;
  } finally {
    await database.drop();
  }
}

/** The invariants right after a kill. */
export async function checkAfterKill(
  ctx: CrashContext,
  database: TestDatabase,
  killed: boolean,
): Promise<string> {
  const state = await trackingState(database);
  const schema = await catalogSnapshot(database);
  const same = (k: number) => JSON.stringify(schema) === JSON.stringify(ctx.reference.byVersion[k]);
  if (state.rows === null) {
    if (!same(0)) throw new Error(`no tracking table, yet the schema is not empty: ${schema.join('; ')}`);
    return 'killed-before-tracking-table';
  }
  const rows = state.rows;
  const nt = ctx.nonTransactional.version;
  const dirty = rows.filter((r) => r.state !== 'applied');
  const versions = rows.map((r) => r.version);
  const contiguous = versions.every((v, i) => v === i + 1);
  if (!contiguous) throw new Error(`tracking rows are not 1..k: ${versions.join(',')}`);
  for (const r of rows) {
    const ups = state.history.filter((h) => h.version === r.version && h.action === 'up').length;
    const expected = r.state === 'applied' ? 1 : 0;
    if (ups !== expected) throw new Error(`version ${r.version} (${r.state}) has ${ups} 'up' history rows`);
  }
  const extraHistory = state.history.filter((h) => !versions.includes(h.version));
  if (extraHistory.length)
    throw new Error(`history rows without a tracking row: ${JSON.stringify(extraHistory)}`);
  if (dirty.length === 0) {
    const k = rows.length;
    if (!same(k))
      throw new Error(
        `clean at ${k} but the schema differs from a clean run's after ${k}: ${diff(schema, ctx.reference.byVersion[k]!)}`,
      );
    if (k === CRASH_MIGRATIONS) return killed ? 'clean-at-latest' : 'finished-before-kill';
    return k === 0 ? 'clean-at-0' : 'clean-midway';
  }
  if (dirty.length !== 1 || dirty[0]!.version !== nt || dirty[0]!.state !== 'running' || rows.length !== nt) {
    throw new Error(`unexpected dirty state: ${JSON.stringify(dirty)} with ${rows.length} rows`);
  }
  if (same(nt - 1)) return 'dirty-without-index';
  if (same(nt)) return 'dirty-with-index';
  // A server crash or a cancelled build (SIGINT/SIGTERM) during CREATE INDEX CONCURRENTLY leaves the
  // index INVALID (a client kill does not: the server finishes or cancels the build itself). Dirty is
  // the truth then; recover() drops it.
  const withoutInvalid = schema.map((line) => line.replace(/ INVALID$/, ''));
  if (
    JSON.stringify(withoutInvalid) === JSON.stringify(ctx.reference.byVersion[nt]) &&
    withoutInvalid.join() !== schema.join()
  ) {
    // A stop request left the row saying so, with the exact cleanup (#10 items 9 and 12).
    const row = rows.find((r) => r.version === nt);
    const stopped = ctx.signal !== undefined && ctx.signal !== 'SIGKILL';
    if (
      stopped &&
      !row?.error?.includes(`DROP INDEX CONCURRENTLY IF EXISTS "public"."${ctx.nonTransactional.index}"`)
    )
      throw new Error(`dirty at ${nt} with an INVALID index the row does not name: ${row?.error}`);
    return 'dirty-with-invalid-index';
  }
  throw new Error(
    `dirty at ${nt} but the schema is neither before nor after it: ${diff(schema, ctx.reference.byVersion[nt]!)}`,
  );
}

/** What an operator does: force (decided by the catalog) when dirty, then latest; must equal a clean run. */
export async function recover(ctx: CrashContext, database: TestDatabase): Promise<void> {
  const state = await trackingState(database);
  const dirty = state.rows?.find((r) => r.state !== 'applied');
  if (dirty) {
    const index = await indexState(database, ctx.nonTransactional.index);
    if (index === 'invalid') await database.query(`drop index ${ctx.nonTransactional.index}`);
    const args = ['--url', database.url, '--dir', ctx.project.dir, 'force', String(dirty.version)];
    if (index !== 'valid') args.push('--not-applied');
    const forced = await runCliProcess(args, { cwd: ctx.project.root });
    if (forced.code !== 0) throw new Error(`force ${dirty.version} exited ${forced.code}: ${forced.stderr}`);
  }
  await migrateToLatest(database.url, { config: { migrationsDir: ctx.project.dir }, cwd: ctx.project.root });
  const schema = await catalogSnapshot(database, { includeTracking: true });
  if (JSON.stringify(schema) !== JSON.stringify(ctx.reference.finalSchema))
    throw new Error(
      `after recovery the schema differs from a clean run's: ${diff(schema, ctx.reference.finalSchema)}`,
    );
  const after = await trackingState(database);
  const rows = rowKeys(after.rows ?? []);
  if (JSON.stringify(rows) !== JSON.stringify(ctx.reference.finalRows))
    throw new Error(`after recovery the tracking rows differ: ${diff(rows, ctx.reference.finalRows)}`);
}

async function indexState(database: TestDatabase, index: string): Promise<'absent' | 'valid' | 'invalid'> {
  if (database.dialect === 'sqlite') {
    const rows = await database.query(
      `select 1 from sqlite_master where type = 'index' and name = '${index}'`,
    );
    return rows.length ? 'valid' : 'absent';
  }
  const rows = await database.query<{ valid: boolean }>(
    `select x.indisvalid as valid from pg_class c join pg_index x on x.indexrelid = c.oid where c.relname = '${index}'`,
  );
  if (!rows.length) return 'absent';
  return rows[0]!.valid ? 'valid' : 'invalid';
}

export function diff(actual: string[], expected: string[]): string {
  const missing = expected.filter((l) => !actual.includes(l));
  const extra = actual.filter((l) => !expected.includes(l));
  return `missing [${missing.slice(0, 5).join(' | ')}] extra [${extra.slice(0, 5).join(' | ')}]`;
}
