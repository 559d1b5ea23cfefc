import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import {
  HistoryImportError,
  type ImportPlan,
  type ImportTool,
  type KyselyMigrationRow,
  type PrismaMigrationRow,
  planGolangMigrateImport,
  planKyselyImport,
  planPrismaImport,
  planSupabaseImport,
  writeImportedHistory,
} from './history-import.ts';
import { TrackingStore, trackingTableLabel } from './tracking-store.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

/** What golang-migrate's table is renamed to when it has our tracking table's name. */
export const GOLANG_MIGRATE_RENAMED_SUFFIX = '_golang_migrate';

export interface HistoryImportInput {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  readonly sources: readonly MigrationSource[];
  /** Our tracking table. */
  readonly table: TrackingTable;
  readonly lock: LockOptions;
  readonly tool: ImportTool;
  /** golang-migrate's, Kysely's or Prisma's table (ignored for supabase). */
  readonly sourceTable: TrackingTable;
  /** The version the caller believes the other tool is at; refused when it differs. */
  readonly expectedVersion?: number;
  /** Plan and check everything, write nothing. */
  readonly dryRun?: boolean;
  readonly appliedBy?: string;
}

/** What an import recorded (or, in a dry run, would record). */
export interface HistoryImportResult {
  readonly tool: ImportTool;
  /** Newest version the other tool knew. */
  readonly version: number;
  /** Recorded as applied, in version order. */
  readonly baselined: number[];
  /** Recorded as dirty (golang-migrate's dirty flag), to be resolved with `force`. */
  readonly dirty: number | null;
  /** golang-migrate's table renamed so ours can take its name: `from → to`. */
  readonly renamedTable: string | null;
  readonly dryRun: boolean;
}

/**
 * Adopts another tool's history: reads it through the driver's historyImport
 * capability, matches it against our files (pure, in history-import.ts),
 * refuses anything that would mix two histories, then writes it in one locked
 * transaction. A dry run stops before the write.
 */
export async function runHistoryImport(input: HistoryImportInput): Promise<HistoryImportResult> {
  const { adapter, db, table: ours, tool } = input;
  const dialect = adapter.historyImport;
  let plan: ImportPlan;
  let moveAside: { table: TrackingTable; newName: string } | undefined;
  if (tool === 'kysely' || tool === 'prisma') {
    const label = trackingTableLabel(input.sourceTable, adapter);
    const rows =
      tool === 'kysely'
        ? await dialect.readKysely(db, input.sourceTable)
        : await dialect.readPrisma(db, input.sourceTable);
    if (!rows) {
      throw new HistoryImportError(
        tool,
        `${label} does not exist (this database was not migrated with ${tool === 'kysely' ? "Kysely's Migrator" : 'Prisma Migrate'}, or it used another table: name it with --source-table)`,
      );
    }
    await assertOursEmpty(input);
    plan =
      tool === 'kysely'
        ? planKyselyImport(input.sources, rows as KyselyMigrationRow[], label)
        : planPrismaImport(input.sources, rows as PrismaMigrationRow[], label);
  } else if (tool === 'supabase') {
    // The facade refuses supabase on a driver without readSupabase before calling (a usage error).
    const rows = (await dialect.readSupabase?.(db)) ?? null;
    if (!rows) {
      throw new HistoryImportError(
        'supabase',
        'supabase_migrations.schema_migrations does not exist (this database was not migrated with the Supabase CLI)',
      );
    }
    await assertOursEmpty(input);
    plan = planSupabaseImport(input.sources, rows);
  } else {
    const source = input.sourceTable;
    const label = trackingTableLabel(source, adapter);
    // Same label means the same table, whatever the driver does with schemas.
    const sameTable = label === trackingTableLabel(ours, adapter);
    const rows = await dialect.readGolangMigrate(db, source);
    if (!rows) {
      throw new HistoryImportError(
        'golang-migrate',
        `${label} does not exist; name golang-migrate's table with --source-table`,
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
      await assertOursEmpty(input);
    }
    plan = planGolangMigrateImport(input.sources, rows, label);
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== plan.version) {
    throw new HistoryImportError(
      tool,
      `it is at version ${plan.version}, not ${input.expectedVersion} as given (the expected version)`,
    );
  }
  if (!input.dryRun) {
    await writeImportedHistory({
      db,
      adapter,
      dialect,
      table: ours,
      lock: input.lock,
      plan,
      ...(moveAside ? { moveAside } : {}),
      ...(input.appliedBy ? { appliedBy: input.appliedBy } : {}),
    });
  }
  return {
    tool,
    version: plan.version,
    baselined: plan.applied.map((s) => s.version),
    dirty: plan.dirty ? plan.dirty.source.version : null,
    renamedTable: moveAside ? `${moveAside.table.name} → ${moveAside.newName}` : null,
    dryRun: input.dryRun ?? false,
  };
}

/** A second import, or an import over a used tracking table, would mix two histories. */
async function assertOursEmpty(input: HistoryImportInput): Promise<void> {
  const store = new TrackingStore(input.table, input.adapter, input.appliedBy ?? '');
  const rows = await store.read(input.db);
  if (rows?.length) {
    throw new HistoryImportError(
      input.tool,
      `${input.table.name} already has ${rows.length} tracking row(s) (newest ${rows[rows.length - 1]!.version}); an import only fills an empty tracking table (use \`migrate baseline <version>\` to extend it, or --table for another one)`,
    );
  }
}
