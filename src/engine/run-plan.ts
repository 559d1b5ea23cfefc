import type { AnyKysely } from './any-kysely.ts';
import { checkDurability } from './durability-check.ts';
import { RunNotDurableError } from './errors.ts';
import { afterStep } from './plan.ts';
import type { OnChange, RunContext } from './run-context.ts';
import { signalGuard } from './signal-guard.ts';
import type { RunStep } from './step-runner.ts';
import { historyDigest, type PlannedRow } from './tracking-store.ts';
import type { MigrationResult } from './types.ts';

/** What a plan's run did; `changed`: the history moved under it and the caller plans again. */
export interface PlanRun {
  results: MigrationResult[];
  changed: boolean;
}

/**
 * Runs a plan. Not behind a transaction pooler (capabilities.sessionLock),
 * one lock is held for the whole run: migrators started together (replicas
 * migrating at start-up) wait once and then find the work done, instead of
 * racing for the lock at every step. The history is checked under that lock
 * once, and the steps run on the lock's connection without a per-step check.
 * Behind a transaction pooler nothing outlives a transaction: every step
 * takes the lock in its own transaction and checks the history there.
 */
export async function runPlan(
  ctx: RunContext,
  steps: RunStep[],
  rows: readonly PlannedRow[],
  onChange: OnChange,
): Promise<PlanRun> {
  // Hand-altered tracking tables are refused before the first step, not found by its tracking write.
  await ctx.store.assertShape(ctx.db);
  if (!ctx.adapter.capabilities.sessionLock) return runEachLocked(ctx, steps, rows, onChange);
  const expected = historyDigest(rows);
  ctx.emit({ type: 'lock', steps: steps.length });
  // The steps done so far, kept outside the run: if its end cannot confirm them durable, they are checked.
  const done: MigrationResult[] = [];
  let outcome: Awaited<ReturnType<typeof ctx.adapter.withRunLock<PlanRun | undefined>>>;
  // From the lock taken to the run's end (its flush and unlock included), a signal between
  // two steps lets the run end properly instead of ending the process on the spot.
  let releaseRun: (() => void) | undefined;
  try {
    outcome = await ctx.adapter.withRunLock(
      ctx.db,
      ctx.table,
      ctx.lock,
      // While waiting: once the history moved (the holder did our steps), stop waiting and plan again.
      async (conn) => (await ctx.store.digest(conn)) === expected,
      async (conn) => {
        releaseRun = signalGuard.holdRun();
        return (await ctx.store.digest(conn)) === expected
          ? runEachLocked(ctx, steps, rows, onChange, conn, done)
          : undefined;
      },
    );
  } catch (error) {
    if (!(error instanceof RunNotDurableError)) throw error;
    const checked = await checkDurability(ctx, done, error);
    if ('error' in checked) throw checked.error;
    return { results: checked.results, changed: false };
  } finally {
    releaseRun?.();
  }
  // A changed history is reported after the lock is released: reading it again needs a
  // connection, and SQLite has only the one the lock pinned.
  if (outcome.ran && outcome.value) return outcome.value;
  if (onChange.replan) return { results: [], changed: true };
  throw await ctx.changed(onChange.command, rows, 0);
}

/**
 * Runs steps in order. Without `held`, each step checks under its own lock
 * the rows the previous ones left; with `held` (the connection holding the
 * run's lock) the check was made once, before the first step.
 */
async function runEachLocked(
  ctx: RunContext,
  steps: RunStep[],
  rows: readonly PlannedRow[],
  onChange: OnChange,
  held?: AnyKysely,
  results: MigrationResult[] = [],
): Promise<PlanRun> {
  let expected: readonly PlannedRow[] = rows;
  // A step whose COMMIT travels with the next step's script: done (and in `results`) once it went.
  let kept: { result: MigrationResult; committed: Promise<void> } | undefined;
  // `send`: the COMMIT may still wait (an error, the last step); after a step ran, its script took it.
  const settleKept = async (send: boolean) => {
    if (!kept || !held) return;
    const { result, committed } = kept;
    kept = undefined;
    if (send) await ctx.adapter.settleCommit(held);
    // Its COMMIT failing is its own failure, reported instead of whatever the next step met.
    await committed;
    results.push(result);
  };
  // Under the run's lock, script steps in a row go in one round trip where the driver can (decision
  // 0007); before `single`, steps run one by one (a batch asked for it, or the driver did not batch).
  let single = 0;
  const batchAt = (i: number) => (held && i >= single ? ctx.runner.batchLength(steps, i) : 1);
  try {
    for (let i = 0; i < steps.length; ) {
      const size = batchAt(i);
      if (held && size > 1) {
        await settleKept(true);
        const handled = await ctx.runner.runBatch(steps.slice(i, i + size), held, (r) => results.push(r));
        if (handled < size) single = i + size;
        i += handled;
        continue;
      }
      const step = steps[i]!;
      const next = steps[i + 1];
      const outcome = await ctx.runner.run(
        step,
        expected,
        held,
        // Its COMMIT may travel with the next step's script, unless that step goes in a batch.
        next !== undefined && ctx.runner.sendsOnlyItsScript(next) && batchAt(i + 1) === 1,
      );
      await settleKept(false);
      if (outcome.kind === 'changed') {
        if (onChange.replan) return { results, changed: true };
        throw await ctx.changed(onChange.command, expected, results.length);
      }
      if (outcome.committed) kept = { result: outcome.result, committed: outcome.committed };
      else results.push(outcome.result);
      if (!held) expected = afterStep(expected, step);
      i++;
    }
    await settleKept(true);
  } catch (error) {
    await settleKept(true);
    throw error;
  }
  return { results, changed: false };
}
