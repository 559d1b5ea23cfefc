import type { Command } from 'commander';
import {
  assertIntegritySum,
  ConfirmationRequiredError,
  DevelopmentOnlyError,
  describeReset,
  describeResetScope,
  FileMigrationProvider,
  isLocalDatabase,
  loadSeeds,
  ourSchemas,
  resetDatabase,
} from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { schemaOption } from './drift.ts';
import { seedDatabase } from './seed.ts';

interface ResetFlags {
  force?: boolean;
  schema?: string[];
}

export function registerReset(program: Command, run: CommandRunner): void {
  program
    .command('reset')
    .description(
      'development: drop what kmigrate owns (the SQLite file, or everything in the configured PostgreSQL schema), then run the migrations and the seeds; needs --yes',
    )
    .option('--force', 'allow a non-local host or NODE_ENV=production (destroys that database)')
    // Same parser as drift's --schema: Supabase-managed schemas are refused.
    .addOption(schemaOption())
    .action((flags: ResetFlags, cmd: Command) => run(cmd, (ctx) => reset(ctx, flags)));
}

async function reset(ctx: CommandContext, flags: ResetFlags): Promise<void> {
  const target = ctx.config.database;
  if (!flags.force) {
    if (ctx.io.env.NODE_ENV === 'production')
      throw new DevelopmentOnlyError('reset', target.url, 'NODE_ENV is production', '--force', 4);
    if (!isLocalDatabase(target))
      throw new DevelopmentOnlyError('reset', target.url, 'it is not SQLite or a local host', '--force', 4);
  }
  // --schema names schemas the migrations create (dropped); the configured one is emptied and kept.
  // A managed configured schema (auth, storage, …) is refused here, before anything else.
  ourSchemas(undefined, ctx.config.schema);
  const extraSchemas = (flags.schema ?? []).filter((s) => s !== ctx.config.schema);
  if (!ctx.options.yes && !ctx.options.dryRun)
    throw new ConfirmationRequiredError(
      `reset (it drops ${describeResetScope(target, [ctx.config.schema, ...extraSchemas])} of ${target.url})`,
    );

  // Everything that can be checked without the database is checked before anything is dropped.
  assertIntegritySum(ctx.config.migrationsPath, ctx.config.integritySum);
  const sources = await new FileMigrationProvider({
    migrationFolder: ctx.config.migrationsPath,
  }).loadSources();
  await Promise.all(sources.map((s) => s.load()));
  await Promise.all(loadSeeds(ctx.config.seedsPath).map((s) => s.load()));

  const lock = {
    lockTimeoutMs: ctx.config.lockTimeoutMs,
    statementLockTimeoutMs: ctx.config.statementLockTimeoutMs,
    statementTimeoutMs: ctx.config.statementTimeoutMs,
  };
  const outcome = await resetDatabase(target, {
    schema: ctx.config.schema,
    extraSchemas,
    table: { schema: ctx.config.schema, name: ctx.config.table },
    lock,
    connectTimeoutMs: ctx.config.connectTimeoutMs,
    dryRun: ctx.options.dryRun ?? false,
  });
  ctx.reporter.info(describeReset(outcome, { dryRun: ctx.options.dryRun ?? false, cwd: ctx.io.cwd }));
  if (ctx.options.dryRun) {
    if (ctx.reporter.json) ctx.reporter.emit({ dryRun: true, reset: outcome });
    return;
  }
  const { migrations, repeatables, seeds } = await ctx.withMigrator(async (migrator) => {
    const result = await migrator.latest();
    ctx.reporter.summary(result, (await migrator.database()).label);
    return {
      migrations: result.results,
      repeatables: result.repeatables ?? [],
      seeds: await seedDatabase(ctx, migrator),
    };
  });
  if (ctx.reporter.json) ctx.reporter.emit({ dryRun: false, reset: outcome, migrations, repeatables, seeds });
}
