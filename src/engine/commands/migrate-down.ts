import { compilePlannedSteps } from '../compile-migrations.ts';
import { loadSteps } from '../load-steps.ts';
import { assertDownsExist, assertNothingAhead, planDown } from '../plan.ts';
import type { Read, RunContext } from '../run-context.ts';
import { runPlan } from '../run-plan.ts';
import type { RunResult } from '../run-result.ts';
import type { MigrationSource } from '../types.ts';

/** Rolls back `steps` migrations (default 1), newest first. */
export async function migrateDown(ctx: RunContext, options: { steps?: number }): Promise<RunResult> {
  const read = await ctx.readRunnable();
  assertNothingAhead(read.history);
  return runDown(ctx, read, planDown(read.history, options), 'down');
}

/**
 * Runs a down plan made from `read` (down, and `to` a lower version): every
 * step must have a down before anything runs; a history that moved is refused,
 * never planned again (rolling back what someone else just did is not ours to decide).
 */
export async function runDown(
  ctx: RunContext,
  read: Read,
  planned: MigrationSource[],
  command: string,
): Promise<RunResult> {
  if (planned.length === 0) return { direction: 'down', results: [] };
  await assertDownsExist(planned);
  const steps = await loadSteps(ctx, planned, 'down');
  if (ctx.options.dryRun)
    return { direction: 'down', results: [], planned: await compilePlannedSteps(steps, ctx.db, ctx.adapter) };
  await ctx.repeatables.beforeRollback();
  const run = await runPlan(ctx, steps, read.rows, { replan: false, command });
  return { direction: 'down', results: run.results };
}
