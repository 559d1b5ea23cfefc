import { compilePlannedSteps } from '../compile-migrations.ts';
import { loadSteps } from '../load-steps.ts';
import { planUp } from '../plan.ts';
import type { OnChange, RunContext } from '../run-context.ts';
import { runPlan } from '../run-plan.ts';
import type { RunResult } from '../run-result.ts';
import type { Direction, MigrationResult, MigrationSource } from '../types.ts';

export interface UpOptions {
  steps?: number;
  target?: number;
}

/**
 * Applies pending migrations: all, `steps` of them, or up to `target`. When
 * another process migrated meanwhile and `onChange.replan`, plans again from
 * what it did (its steps are reported `skipped`); otherwise refuses.
 */
export async function migrateUp(ctx: RunContext, options: UpOptions, onChange: OnChange): Promise<RunResult> {
  const results: MigrationResult[] = [];
  let planned: MigrationSource[] = [];
  for (;;) {
    const read = await ctx.readRunnable(planned);
    if (read.history.ahead.length && results.length === 0 && planned.length === 0)
      ctx.emit({
        type: 'ahead',
        migrations: read.history.ahead.map(({ version, name }) => ({ version, name })),
      });
    // Steps of the previous plan that another process did meanwhile (sets: a waiter released
    // after another run applied a thousand migrations must not compare every pair).
    const appliedNow = new Set(read.history.applied.map((a) => a.row.version));
    const reported = new Set(results.map((r) => r.version));
    for (const source of planned) {
      if (!appliedNow.has(source.version) || reported.has(source.version)) continue;
      const result = skipped(source, 'up');
      results.push(result);
      ctx.emit({ type: 'done', result });
    }
    const left = options.steps === undefined ? undefined : options.steps - results.length;
    if (left !== undefined && left <= 0) return { direction: 'up', results };
    planned = planUp(read.history, {
      ...(options.target !== undefined ? { target: options.target } : {}),
      ...(left !== undefined ? { steps: left } : {}),
      allowOutOfOrder: ctx.options.allowOutOfOrder ?? false,
    });
    if (planned.length === 0) return { direction: 'up', results };
    const steps = await loadSteps(ctx, planned, 'up');
    if (ctx.options.dryRun)
      return { direction: 'up', results, planned: await compilePlannedSteps(steps, ctx.db, ctx.adapter) };
    await ctx.ensureTracking(read.initialized);
    const run = await runPlan(ctx, steps, read.rows, onChange);
    results.push(...run.results);
    if (!run.changed) return { direction: 'up', results };
    const ran = new Set(run.results.map((r) => r.version));
    planned = planned.filter((s) => !ran.has(s.version));
  }
}

function skipped(source: MigrationSource, direction: Direction): MigrationResult {
  return { version: source.version, name: source.name, direction, status: 'skipped', ms: 0 };
}
