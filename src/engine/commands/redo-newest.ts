import { compilePlannedSteps } from '../compile-migrations.ts';
import { loadSteps } from '../load-steps.ts';
import { assertDownsExist, assertNothingAhead, planDown } from '../plan.ts';
import type { RunContext } from '../run-context.ts';
import { runPlan } from '../run-plan.ts';
import type { RunResult } from '../run-result.ts';

/** Rolls back the newest migration and applies it again, as one plan (one lock, one history check). */
export async function redoNewest(ctx: RunContext): Promise<RunResult> {
  const read = await ctx.readRunnable();
  assertNothingAhead(read.history);
  const [source] = planDown(read.history, { steps: 1 });
  if (!source) return { direction: 'down', results: [] };
  await assertDownsExist([source]);
  const [down] = await loadSteps(ctx, [source], 'down');
  const steps = [down!, { ...down!, direction: 'up' as const }];
  if (ctx.options.dryRun)
    // The redo marks every repeatable outdated first, so its plan lists them all.
    return ctx.repeatables.afterUp<RunResult>(
      { direction: 'down', results: [], planned: await compilePlannedSteps(steps, ctx.db, ctx.adapter) },
      { afterRollback: true },
    );
  await ctx.repeatables.beforeRollback();
  const run = await runPlan(ctx, steps, read.rows, { replan: false, command: 'redo' });
  return ctx.repeatables.afterUp<RunResult>({ direction: 'up', results: run.results });
}
