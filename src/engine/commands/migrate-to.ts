import { assertNothingAhead, planDown, resolveTarget } from '../plan.ts';
import type { RunContext } from '../run-context.ts';
import type { RunResult } from '../run-result.ts';
import { runDown } from './migrate-down.ts';
import { migrateUp } from './migrate-up.ts';

/** Moves to exactly `version`: up when it is ahead, down when behind (0 = everything down). */
export async function migrateTo(ctx: RunContext, version: number): Promise<RunResult> {
  const read = await ctx.readRunnable();
  // 0 means "everything down", so a migration numbered 0 is rolled back (and never applied) too.
  const target = resolveTarget(read.history, read.sources, version) === 0 ? -1 : version;
  if (read.history.newestApplied !== undefined && target < read.history.newestApplied) {
    assertNothingAhead(read.history);
    return runDown(ctx, read, planDown(read.history, { target }), `to ${version}`);
  }
  return migrateUp(ctx, { target }, { replan: false, command: `to ${version}` });
}
