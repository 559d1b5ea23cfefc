import type { PlanRequest, RunResult, StatusReport } from '../index.ts';
import { regenerateTypesAfterMigrate } from './codegen-hook.ts';
import type { CommandContext } from './context.ts';
import { rewriteSchemaFileAfterMigrate } from './schema-file-hook.ts';

/**
 * Shared body of latest/up/down/to/redo: run (or with --dry-run, plan), print
 * the plan or the summary, then regenerate types in development when something changed.
 */
export async function runMigration(
  ctx: CommandContext,
  request: PlanRequest,
  /** The question to ask before a rollback (driver policy), or undefined when nothing would be rolled back. */
  confirmation?: (status: StatusReport, databaseLabel: string) => string | undefined,
): Promise<RunResult | undefined> {
  const run = await ctx.withMigrator(async (migrator) => {
    if (ctx.options.dryRun) {
      const plan = await migrator.plan(request);
      ctx.reporter.plan([...plan.steps], plan.database, [...plan.repeatables]);
      return undefined;
    }
    if (confirmation) {
      // The driver's policy (PostgreSQL asks first; a SQLite dev file does not), not a dialect check.
      // status first: it checks the files before it connects (a bad file never touches the database).
      const status = await migrator.status();
      const database = await migrator.database();
      const question = database.confirmDestructive ? confirmation(status, database.label) : undefined;
      if (question) await ctx.confirm(question);
    }
    const result = await migrator.run(request);
    ctx.reporter.summary(result, (await migrator.database()).label);
    return result;
  });
  const changed =
    run !== undefined &&
    (run.results.some((r) => r.status !== 'skipped') ||
      (run.repeatables ?? []).some((r) => r.status !== 'skipped'));
  if (changed) {
    await regenerateTypesAfterMigrate(ctx);
    await rewriteSchemaFileAfterMigrate(ctx);
  }
  return run;
}

/**
 * The confirmation question for rolling back the applied migrations above
 * `above` (or the newest `count`), naming them; undefined when none is applied.
 */
export function rollbackQuestion(
  { entries }: StatusReport,
  databaseLabel: string,
  pick: { count: number } | { above: number },
  verb = 'Roll back',
): string | undefined {
  const applied = entries.filter((e) => e.state === 'applied' || e.state === 'changed').reverse();
  const chosen =
    'count' in pick ? applied.slice(0, pick.count) : applied.filter((e) => e.version > pick.above);
  if (!chosen.length) return undefined;
  const names = chosen.map((e) => `${e.version}_${e.name}`).join(', ');
  return `${verb} ${chosen.length} migration${chosen.length === 1 ? '' : 's'} (${names}) on ${databaseLabel}`;
}
