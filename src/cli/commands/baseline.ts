import { type Command, Option } from 'commander';
import { adviceCommand, type BaselineResult, type ImportTool, type KMigrator } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { nonNegativeInt } from '../global-options.ts';
import { UsageError } from '../usage-error.ts';

interface BaselineOptions {
  from?: ImportTool;
  sourceTable?: string;
}

export function registerBaseline(program: Command, run: CommandRunner): void {
  program
    .command('baseline')
    .description(
      'adopt an existing database: record migrations up to <version> as applied without running them, or import golang-migrate/Supabase/Kysely Migrator/Prisma Migrate history with --from',
    )
    .argument(
      '[version]',
      'newest migration the database already has (with --from: checked against the import)',
      nonNegativeInt('[version]'),
    )
    .addOption(
      new Option('--from <tool>', 'import the history another tool kept').choices([
        'golang-migrate',
        'supabase',
        'kysely',
        'prisma',
      ]),
    )
    .option(
      '--source-table <table>',
      "the other tool's table, [schema.]name (default: golang-migrate's schema_migrations — renamed to <name>_golang_migrate when it is our tracking table's name — Kysely's kysely_migration, Prisma's _prisma_migrations)",
    )
    .action((version: number | undefined, opts: BaselineOptions, cmd: Command) =>
      run(cmd, async (ctx) => {
        if (!opts.from) {
          if (version === undefined) {
            throw new UsageError(
              '<version>',
              'is required',
              'the newest migration the database already has, or --from golang-migrate|supabase|kysely|prisma',
            );
          }
          return ctx.withMigrator((m) => plainBaseline(ctx, m, version));
        }
        return ctx.withMigrator((m) => importBaseline(ctx, m, opts.from!, opts.sourceTable, version));
      }),
    );
}

async function plainBaseline(ctx: CommandContext, migrator: KMigrator, version: number): Promise<void> {
  const { label } = await migrator.database();
  await ctx.confirm(
    `Record every pending migration up to ${version} as applied, without running it, on ${label}`,
  );
  const result = await migrator.baseline(version, { dryRun: ctx.options.dryRun ?? false });
  report(ctx, { versions: result.baselined, version, label });
}

/**
 * The facade's history import, twice: a dry run says what would be recorded
 * (the question names it), then the import itself, pinned to the version the
 * question named so that it records exactly what was confirmed or refuses.
 */
async function importBaseline(
  ctx: CommandContext,
  migrator: KMigrator,
  tool: ImportTool,
  sourceTable: string | undefined,
  expectedVersion: number | undefined,
): Promise<void> {
  const ask = {
    from: tool,
    ...(sourceTable !== undefined ? { sourceTable } : {}),
    ...(expectedVersion !== undefined ? { version: expectedVersion } : {}),
  };
  const plan = await migrator.importHistory({ ...ask, dryRun: true });
  const count = plan.baselined.length + (plan.dirty !== null ? 1 : 0);
  const renamed = plan.renamedTable?.split(' → ');
  await ctx.confirm(
    `Import ${tool} history into ${ctx.config.table} on ${plan.database}: record ${count} migration${count === 1 ? '' : 's'} up to ${plan.version} without running ${count === 1 ? 'it' : 'them'}${plan.dirty !== null ? ` (${plan.dirty} as dirty)` : ''}${renamed ? `, after renaming ${renamed[0]} to ${renamed[1]}` : ''}`,
  );
  const done: BaselineResult = ctx.options.dryRun
    ? plan
    : await migrator.importHistory({ ...ask, version: plan.version });
  report(ctx, {
    versions: done.baselined,
    version: done.version,
    label: done.database,
    from: tool,
    ...(done.dirty !== null ? { dirty: done.dirty } : {}),
    ...(done.renamedTable ? { renamed: done.renamedTable } : {}),
  });
}

function report(
  ctx: CommandContext,
  r: {
    versions: number[];
    version: number;
    label: string;
    from?: ImportTool;
    dirty?: number;
    renamed?: string;
  },
): void {
  const dryRun = ctx.options.dryRun ?? false;
  if (ctx.reporter.json) {
    ctx.reporter.emit({
      dryRun,
      database: r.label,
      from: r.from ?? null,
      version: r.version,
      baselined: r.versions,
      dirty: r.dirty ?? null,
      renamedTable: r.renamed ?? null,
    });
    return;
  }
  const prefix = dryRun ? 'Dry run: would record' : 'Recorded';
  if (r.versions.length === 0 && r.dirty === undefined) {
    ctx.reporter.info(
      `Nothing to baseline: every migration up to ${r.version} is already recorded on ${r.label}.`,
    );
    return;
  }
  if (r.renamed)
    ctx.reporter.info(`${dryRun ? 'Would rename' : 'Renamed'} golang-migrate's table: ${r.renamed}.`);
  if (r.versions.length) {
    ctx.reporter.info(
      `${prefix} ${r.versions.length} migration${r.versions.length === 1 ? '' : 's'} as applied without running ${r.versions.length === 1 ? 'it' : 'them'}${r.from ? ` (from ${r.from})` : ''}: ${r.versions.join(', ')} on ${r.label}.`,
    );
  }
  if (r.dirty !== undefined) {
    ctx.reporter.warn(
      `migration ${r.dirty} ${dryRun ? 'would be' : 'is'} recorded as dirty, as golang-migrate had it: inspect the schema, then run \`${adviceCommand(`force ${r.dirty}`)}\` (it is fully applied) or \`${adviceCommand(`force ${r.dirty} --not-applied`)}\` (it is not)`,
    );
  }
}
