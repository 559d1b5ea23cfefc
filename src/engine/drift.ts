import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import { MigrateError, MigrationFailedError, oneLine } from './errors.ts';
import { Migrator, type MigratorOptions } from './migrator.ts';
import { analyzeHistory, assertRunnable } from './plan.ts';
import { diffSnapshots, type SchemaDifference } from './schema-diff.ts';
import { isManagedSchema, type SchemaSnapshot, type SnapshotOptions } from './schema-snapshot.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

/** A database and the adapter that reads it. */
export interface DatabaseHandle {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
}

/** A scratch database; close() also removes it. */
export interface ScratchHandle extends DatabaseHandle {
  close(): Promise<void>;
}

/** Settings a scratch build shares with the live migrator (lock and statement timeouts). */
export type ScratchMigratorSettings = Pick<
  MigratorOptions,
  'lockTimeoutMs' | 'statementLockTimeoutMs' | 'statementTimeoutMs' | 'lockRetries' | 'appliedBy'
>;

export interface DriftInput {
  /** The database being checked. Only read. */
  readonly live: DatabaseHandle;
  /**
   * Opens an empty database of the same dialect, where the applied migrations
   * are built; called only once the history is known to be rebuildable, and
   * always closed.
   */
  readonly openScratch: () => Promise<ScratchHandle>;
  readonly sources: readonly MigrationSource[];
  readonly table: TrackingTable;
  /** Schemas to compare; managed (Supabase, pg_*) schemas are dropped from the list. */
  readonly schemas: readonly string[];
  readonly settings?: ScratchMigratorSettings;
}

export interface DriftReport {
  /** The schemas that were compared. */
  readonly schemas: readonly string[];
  /** Versions applied on the live database, and so built on the scratch one. */
  readonly appliedVersions: readonly number[];
  /** Empty when there is no drift. added = only in the live database; removed = only in the migrations. */
  readonly differences: readonly SchemaDifference[];
}

/** The applied migrations could not be built on the scratch database. */
export class ScratchBuildError extends MigrateError {
  override readonly name = 'ScratchBuildError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly reason: string,
  ) {
    super(
      `could not rebuild migration ${version}_${migrationName} on the scratch database: ${oneLine(reason)}; if it needs objects no migration creates (e.g. Supabase's auth schema), set KMIGRATE_SCRATCH_DATABASE_URL to a database that has them`,
    );
  }
}

/**
 * Compares the live schema with the one its applied migrations build. Reads
 * the live tracking rows, applies exactly those versions (in version order,
 * even when they were applied out of order) to the scratch database, and
 * diffs the two snapshots. The live database is only read.
 */
export async function detectDrift(input: DriftInput): Promise<DriftReport> {
  const schemas = comparableSchemas(input.schemas);
  const rows = await input.live.adapter.readTrackingRows(input.live.db, input.table);
  const history = analyzeHistory(input.sources, rows ?? []);
  // Dirty, edited or deleted applied migrations cannot be rebuilt faithfully.
  assertRunnable(history);
  const applied = history.applied.map((a) => a.source);
  const options = snapshotOptions(schemas, input.table);

  const scratch = await input.openScratch();
  let expected: SchemaSnapshot;
  try {
    const builder = new Migrator({
      ...input.settings,
      db: scratch.db,
      adapter: scratch.adapter,
      sources: applied,
      table: input.table,
      allowOutOfOrder: true,
    });
    try {
      await builder.latest();
    } catch (error) {
      if (error instanceof MigrationFailedError)
        throw new ScratchBuildError(error.version, error.migrationName, error.databaseMessage);
      throw error;
    }
    expected = await scratch.adapter.snapshotSchema(scratch.db, options);
  } finally {
    await scratch.close();
  }
  const actual = await input.live.adapter.snapshotSchema(input.live.db, options);
  return {
    // As the dialect names them: SQLite reports its one schema, `main`.
    schemas: expected.schemas,
    appliedVersions: applied.map((s) => s.version),
    differences: diffSnapshots(expected, actual),
  };
}

/** What drift and verify snapshot: our schemas, without the tracking tables. */
export function snapshotOptions(schemas: readonly string[], table: TrackingTable): SnapshotOptions {
  return { schemas, excludeTables: [table.name, `${table.name}_history`] };
}

/** The requested schemas minus the managed ones, deduplicated, in the given order. */
export function comparableSchemas(schemas: readonly string[]): string[] {
  return [...new Set(schemas)].filter((s) => !isManagedSchema(s));
}
