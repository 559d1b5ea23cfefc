import { createTestDatabase, type Dialect, type TestDatabase } from '../../support/databases.ts';
import { campaignMigrations } from './campaign-migrations.ts';
import { buildReference, type CampaignReference, rowKeys } from './campaign-reference.ts';
import type { CampaignReport } from './campaign-report.ts';
import { catalogSnapshot } from './catalog-snapshot.ts';
import { runnerBundle } from './runner-bundle.ts';
import { createTempProject, type TempProject } from './temp-project.ts';
import { trackingState } from './tracking-state.ts';
import { childEnv, spawnTs, type TsProcess } from './ts-process.ts';

export interface ConcurrencyCampaignOptions {
  /** Name in the report, e.g. `concurrency` or `concurrency-pgbouncer`. */
  campaign: string;
  dialect: Dialect;
  trials: number;
  processes: number;
  migrations?: number;
  /** Include the non-transactional migration (refused behind a transaction pooler). */
  nonTransactionalAt?: number;
  /** The URL the processes use for a fresh test database (default: its direct URL). */
  urlFor?: (database: TestDatabase) => string;
  /** A trial that has not finished by then counts as a deadlock. */
  trialTimeoutMs?: number;
}

/**
 * The concurrency campaign: N processes, released at the same instant, run
 * `latest` on one fresh database. Every process must exit 0, within the
 * timeout (no deadlock), every migration must be applied exactly once (one
 * process reports it applied, one tracking row, one 'up' history row), and
 * the schema must equal a clean single-process run's.
 */
export async function runConcurrencyCampaign(options: ConcurrencyCampaignOptions): Promise<CampaignReport> {
  const started = performance.now();
  const count = options.migrations ?? 30;
  const set = campaignMigrations(options.dialect, {
    count,
    ...(options.nonTransactionalAt ? { nonTransactionalAt: options.nonTransactionalAt } : {}),
  });
  const project = createTempProject(set.files);
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  const trialMs: number[] = [];
  let skippedSteps = 0;
  try {
    const reference = await buildReference(options.dialect, project.dir, count, { stepwise: false });
    for (let trial = 0; trial < options.trials; trial++) {
      const t0 = performance.now();
      try {
        skippedSteps += await concurrencyTrial(options, project, reference, count);
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (error) {
        outcomes.failed = (outcomes.failed ?? 0) + 1;
        failures.push(`trial ${trial}: ${(error as Error).message}`);
      }
      trialMs.push(performance.now() - t0);
    }
  } finally {
    project.cleanup();
  }
  return {
    campaign: options.campaign,
    dialect: options.dialect,
    trials: options.trials,
    failures: failures.length,
    outcomes,
    durationMs: performance.now() - started,
    failureDetails: failures.slice(0, 10),
    extra: {
      processes: options.processes,
      migrations: count,
      nonTransactional: options.nonTransactionalAt ?? null,
      meanTrialMs: Math.round(trialMs.reduce((a, b) => a + b, 0) / Math.max(1, trialMs.length)),
      maxTrialMs: Math.round(Math.max(0, ...trialMs)),
      /** Steps a process found already done under the lock (the re-check working). */
      skippedSteps,
    },
  };
}

async function concurrencyTrial(
  options: ConcurrencyCampaignOptions,
  project: TempProject,
  reference: CampaignReference,
  count: number,
): Promise<number> {
  const database = await createTestDatabase(options.dialect);
  const processes: TsProcess[] = [];
  try {
    const url = options.urlFor ? options.urlFor(database) : database.url;
    for (let i = 0; i < options.processes; i++) {
      processes.push(
        spawnTs(runnerBundle(), [JSON.stringify({ url, dir: project.dir, waitForGo: true })], {
          cwd: project.root,
          env: childEnv(),
          stdin: true,
        }),
      );
    }
    const ready = await Promise.all(
      processes.map((p) => p.waitForLine((l) => l.startsWith('{"type":"ready"'))),
    );
    if (ready.some((r) => r === undefined))
      throw new Error(`a process died while loading: ${processes.map((p) => p.stderr()).join(' ')}`);
    // All loaded: release them together.
    for (const p of processes) p.child.stdin?.end('go\n');
    const timeoutMs = options.trialTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(processes.map((p) => p.exited)),
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (finished === 'timeout') {
      const stuck = processes.filter((p) => p.child.exitCode === null).length;
      throw new Error(
        `deadlock or hang: ${stuck} of ${options.processes} processes still running after ${timeoutMs} ms`,
      );
    }
    const bad = finished.map((e, i) => ({ ...e, i })).filter((e) => e.code !== 0);
    if (bad.length) {
      // Distinct first stderr lines with their counts: the campaign's log says what went wrong, not just how often.
      const counts = new Map<string, number>();
      for (const b of bad) {
        const line = (processes[b.i]!.stderr().split('\n')[0] ?? '').replace(/\d{5,}/g, 'N');
        counts.set(`exit ${b.code}: ${line}`, (counts.get(`exit ${b.code}: ${line}`) ?? 0) + 1);
      }
      const kinds = [...counts].map(([line, n]) => `${n}× ${line}`).join(' | ');
      throw new Error(`${bad.length} of ${options.processes} processes failed: ${kinds}`);
    }
    // Each version reported "applied" by exactly one process.
    const appliedBy = new Map<number, number>();
    let skipped = 0;
    for (const p of processes) {
      const result = p.lines.map((l) => JSON.parse(l)).find((e) => e.type === 'result') as
        | { results: { version: number; status: string }[] }
        | undefined;
      if (!result) throw new Error('a process exited 0 without a result line');
      for (const r of result.results) {
        if (r.status === 'applied') appliedBy.set(r.version, (appliedBy.get(r.version) ?? 0) + 1);
        else if (r.status === 'skipped') skipped++;
      }
    }
    for (let v = 1; v <= count; v++) {
      if (appliedBy.get(v) !== 1)
        throw new Error(`migration ${v} was applied by ${appliedBy.get(v) ?? 0} processes`);
    }
    const state = await trackingState(database);
    const rows = rowKeys(state.rows ?? []);
    if (JSON.stringify(rows) !== JSON.stringify(reference.finalRows))
      throw new Error(`tracking rows differ from a clean run's: ${rows.length} rows`);
    for (let v = 1; v <= count; v++) {
      const ups = state.history.filter((h) => h.version === v && h.action === 'up').length;
      if (ups !== 1) throw new Error(`migration ${v} has ${ups} 'up' history rows`);
    }
    const schema = await catalogSnapshot(database, { includeTracking: true });
    if (JSON.stringify(schema) !== JSON.stringify(reference.finalSchema))
      throw new Error("the schema differs from a clean run's");
    return skipped;
  } finally {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await database.drop();
  }
}
