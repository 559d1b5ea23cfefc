import type { Migrator, RunResult } from '../engine/migrator.ts';
import { regenerateTypesAfterMigrate } from './codegen-hook.ts';
import type { CommandContext } from './context.ts';

/**
 * Shared body of latest/up/down/to/redo: run, print the plan (dry run) or the
 * summary, then regenerate types in development when something changed.
 */
export async function runMigration(
  ctx: CommandContext,
  action: (migrator: Migrator) => Promise<RunResult>,
  confirmation?: (migrator: Migrator) => Promise<string | undefined>,
): Promise<RunResult> {
  const run = await ctx.withMigrator(async ({ migrator, database }) => {
    if (confirmation && database.adapter.dialect === 'postgres') {
      const question = await confirmation(migrator);
      if (question) await ctx.confirm(question);
    }
    const result = await action(migrator);
    if (result.planned) ctx.reporter.plan(result.planned, database.label);
    else ctx.reporter.summary(result, database.label);
    return result;
  });
  if (!run.planned && run.results.some((r) => r.status !== 'skipped')) await regenerateTypesAfterMigrate(ctx);
  return run;
}
