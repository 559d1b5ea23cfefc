import { type Command, Option } from 'commander';
import { adviceCommand } from '../../engine/advice.ts';
import {
  HistoryImportError,
  type ImportPlan,
  type ImportTool,
  planGolangMigrateImport,
  planSupabaseImport,
  writeImportedHistory,
} from '../../engine/history-import.ts';
import { trackingTableLabel } from '../../engine/tracking-store.ts';
import type { TrackingTable } from '../../engine/types.ts';
import type { OpenMigrator } from '../../open-migrator.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { nonNegativeInt } from '../global-options.ts';
import { UsageError } from '../usage-error.ts';

interface BaselineOptions {
  from?: ImportTool;
  sourceTable: string;
}

/** What golang-migrate's table is renamed to when it has our tracking table's name. */
export const GOLANG_MIGRATE_RENAMED_SUFFIX = '_golang_migrate';

export function registerBaseline(program: Command, run: CommandRunner): void {
  program
    .command('baseline')
    .description(
      'adopt an existing database: record migrations up to <version> as applied without running them, or import golang-migrate/Supabase history with --from',
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
      ]),
    )
    .option(
      '--source-table <table>',
      "golang-migrate's table, [schema.]name; when it is our tracking table's name it is renamed to <name>_golang_migrate",
      'schema_migrations',
    )
    .action((version: number | undefined, opts: BaselineOptions, cmd: Command) =>
      run(cmd, async (ctx) => {
        if (!opts.from) {
          if (version === undefined) {
            throw new UsageError(
              '<version>',
              'is required',
              'the newest migration the database already has, or --from golang-migrate|supabase',
            );
          }
          return ctx.withMigrator((m) => plainBaseline(ctx, m, version));
        }
        return ctx.withMigrator((m) => importBaseline(ctx, m, opts.from!, opts.sourceTable, version));
      }),
    );
}

async function plainBaseline(
  ctx: CommandContext,
  { migrator, database }: OpenMigrator,
  version: number,
): Promise<void> {
  await ctx.confirm(
    `Record every pending migration up to ${version} as applied, without running it, on ${database.label}`,
  );
  const marked = await migrator.baseline(version, `baseline ${version} (migrate baseline)`);
  report(ctx, { versions: marked, version, label: database.label });
}

async function importBaseline(
  ctx: CommandContext,
  { database, provider, migrator }: OpenMigrator,
  tool: ImportTool,
  sourceTableOption: string,
  expectedVersion: number | undefined,
): Promise<void> {
  const { adapter, db } = database;
  const dialect = adapter.historyImport;
  const ours: TrackingTable = { schema: ctx.config.schema, name: ctx.config.table };
  const sources = await provider.loadSources();

  let plan: ImportPlan;
  let moveAside: { table: TrackingTable; newName: string } | undefined;
  if (tool === 'supabase') {
    if (!dialect.readSupabase) {
      throw new UsageError(
        '--from',
        'supabase needs a PostgreSQL database',
        'a postgres:// URL of the Supabase project',
      );
    }
    const rows = await dialect.readSupabase(db);
    if (!rows) {
      throw new HistoryImportError(
        'supabase',
        'supabase_migrations.schema_migrations does not exist (this database was not migrated with the Supabase CLI)',
      );
    }
    await assertOursEmpty(migrator, ours, tool);
    plan = planSupabaseImport(sources, rows);
  } else {
    const source = parseSourceTable(sourceTableOption, ctx.config.schema);
    const sameTable = trackingTableLabel(source, adapter) === trackingTableLabel(ours, adapter); // same label, same table, whatever the driver does with schemas
    const rows = await dialect.readGolangMigrate(db, source);
    if (!rows) {
      throw new HistoryImportError(
        'golang-migrate',
        `${describeTable(source, adapter)} does not exist; name golang-migrate's table with --source-table`,
      );
    }
    if (sameTable) {
      const newName = `${source.name}${GOLANG_MIGRATE_RENAMED_SUFFIX}`;
      if (await dialect.tableExists(db, { schema: source.schema, name: newName })) {
        throw new HistoryImportError(
          'golang-migrate',
          `${newName} already exists, so ${source.name} cannot be renamed to it; drop or rename it first`,
        );
      }
      moveAside = { table: source, newName };
    } else {
      await assertOursEmpty(migrator, ours, tool);
    }
    plan = planGolangMigrateImport(sources, rows, describeTable(source, adapter));
  }
  if (expectedVersion !== undefined && expectedVersion !== plan.version) {
    throw new HistoryImportError(
      tool,
      `it is at version ${plan.version}, not ${expectedVersion} as given on the command line`,
    );
  }

  const count = plan.applied.length + (plan.dirty ? 1 : 0);
  await ctx.confirm(
    `Import ${tool} history into ${ours.name} on ${database.label}: record ${count} migration${count === 1 ? '' : 's'} up to ${plan.version} without running ${count === 1 ? 'it' : 'them'}${plan.dirty ? ` (${plan.dirty.source.version} as dirty)` : ''}${moveAside ? `, after renaming ${moveAside.table.name} to ${moveAside.newName}` : ''}`,
  );
  if (!ctx.options.dryRun) {
    await writeImportedHistory({
      db,
      adapter,
      dialect,
      table: ours,
      lock: {
        lockTimeoutMs: ctx.config.lockTimeoutMs,
        statementLockTimeoutMs: ctx.config.statementLockTimeoutMs,
        statementTimeoutMs: ctx.config.statementTimeoutMs,
      },
      plan,
      ...(moveAside ? { moveAside } : {}),
    });
  }
  report(ctx, {
    versions: plan.applied.map((s) => s.version),
    version: plan.version,
    label: database.label,
    from: tool,
    ...(plan.dirty ? { dirty: plan.dirty.source.version } : {}),
    ...(moveAside ? { renamed: `${moveAside.table.name} → ${moveAside.newName}` } : {}),
  });
}

/** A second import, or an import over a used tracking table, would mix two histories. */
async function assertOursEmpty(
  migrator: OpenMigrator['migrator'],
  ours: TrackingTable,
  tool: ImportTool,
): Promise<void> {
  const rows = await migrator.trackingRows();
  if (rows?.length) {
    throw new HistoryImportError(
      tool,
      `${ours.name} already has ${rows.length} tracking row(s) (newest ${rows[rows.length - 1]!.version}); an import only fills an empty tracking table (use \`${adviceCommand('baseline <version>')}\` to extend it, or --table for another one)`,
    );
  }
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

/** `name` or `schema.name`; both parts plain identifiers like the config's table. */
function parseSourceTable(value: string, defaultSchema: string): TrackingTable {
  const match = /^(?:([A-Za-z_][A-Za-z0-9_]{0,62})\.)?([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(value.trim());
  if (!match)
    throw new UsageError(
      '--source-table',
      `"${value}" is not a table name`,
      '[schema.]name, letters, digits and _',
    );
  return { schema: match[1] ?? defaultSchema, name: match[2]! };
}

/** `schema.name` where the dialect has schemas, else `name`: the driver's own qualified name, unquoted (plain identifiers). */
function describeTable(table: TrackingTable, adapter: OpenMigrator['database']['adapter']): string {
  return trackingTableLabel(table, adapter);
}
