import type { Migrator, RunResult } from '../engine/migrator.ts';
import { regenerateTypesAfterMigrate } from './codegen-hook.ts';
import type { CommandContext } from './context.ts';
import { rewriteSchemaFileAfterMigrate } from './schema-file-hook.ts';

/**
 * Shared body of latest/up/down/to/redo: run, print the plan (dry run) or the
 * summary, then regenerate types in development when something changed.
 */
export async function runMigration(
  ctx: CommandContext,
  action: (migrator: Migrator) => Promise<RunResult>,
  /** The question to ask before a rollback on PostgreSQL, or undefined when nothing would be rolled back. */
  confirmation?: (migrator: Migrator, databaseLabel: string) => Promise<string | undefined>,
): Promise<RunResult> {
  const run = await ctx.withMigrator(async ({ migrator, database }) => {
    // The driver's policy (PostgreSQL asks first; a SQLite dev file does not), not a dialect check.
    if (confirmation && database.adapter.confirmDestructive) {
      const question = await confirmation(migrator, database.label);
      if (question) await ctx.confirm(question);
    }
    const result = await action(migrator);
    if (result.planned) ctx.reporter.plan(result.planned, database.label, result.plannedRepeatables);
    else ctx.reporter.summary(result, database.label);
    return result;
  });
  const changed =
    run.results.some((r) => r.status !== 'skipped') ||
    (run.repeatables ?? []).some((r) => r.status !== 'skipped');
  if (!run.planned && changed) {
    await regenerateTypesAfterMigrate(ctx);
    await rewriteSchemaFileAfterMigrate(ctx);
  }
  return run;
}

/**
 * The confirmation question for rolling back the applied migrations above
 * `above` (or the newest `count`), naming them; undefined when none is applied.
 */
export async function rollbackQuestion(
  migrator: Migrator,
  databaseLabel: string,
  pick: { count: number } | { above: number },
  verb = 'Roll back',
): Promise<string | undefined> {
  const { entries } = await migrator.status();
  const applied = entries.filter((e) => e.state === 'applied' || e.state === 'changed').reverse();
  const chosen =
    'count' in pick ? applied.slice(0, pick.count) : applied.filter((e) => e.version > pick.above);
  if (!chosen.length) return undefined;
  const names = chosen.map((e) => `${e.version}_${e.name}`).join(', ');
  return `${verb} ${chosen.length} migration${chosen.length === 1 ? '' : 's'} (${names}) on ${databaseLabel}`;
}
