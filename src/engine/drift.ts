import type { DialectAdapter } from './dialect-adapter.ts';
import { analyzeHistory, assertRunnable } from './plan.ts';
import type { RepeatableSource } from './repeatable-types.ts';
import { diffSnapshots, type SchemaDifference } from './schema-diff.ts';
import type { SchemaSnapshot, SnapshotOptions } from './schema-snapshot.ts';
import {
  buildOnScratch,
  type DatabaseHandle,
  type ScratchHandle,
  type ScratchMigratorSettings,
} from './scratch-build.ts';
import { TrackingStore, trackingTableNames } from './tracking-store.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

export type { DatabaseHandle, ScratchHandle, ScratchMigratorSettings } from './scratch-build.ts';

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
  /**
   * The repeatable migrations: those the live database has a row for are
   * built after the applied versions (from today's files; an outdated one
   * shows its change as drift).
   */
  readonly repeatables?: readonly RepeatableSource[];
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

/**
 * Compares the live schema with the one its applied migrations build. Reads
 * the live tracking rows, applies exactly those versions (in version order,
 * even when they were applied out of order) to the scratch database, and
 * diffs the two snapshots. The live database is only read.
 */
export async function detectDrift(input: DriftInput): Promise<DriftReport> {
  const schemas = comparableSchemas(input.schemas, input.live.adapter);
  const store = new TrackingStore(input.table, input.live.adapter, '');
  const rows = await store.read(input.live.db);
  const repeatableRows = input.repeatables?.length ? await store.readRepeatables(input.live.db) : null;
  const repeatables = (input.repeatables ?? []).filter((r) => repeatableRows?.some((row) => row.id === r.id));
  const history = analyzeHistory(input.sources, rows ?? []);
  // Dirty, edited or deleted applied migrations cannot be rebuilt faithfully.
  assertRunnable(history);
  const applied = history.applied.map((a) => a.source);
  const options = snapshotOptions(schemas, input.table);

  const scratch = await input.openScratch();
  let expected: SchemaSnapshot;
  try {
    await buildOnScratch(scratch, {
      sources: applied,
      repeatables,
      table: input.table,
      ...(input.settings ? { settings: input.settings } : {}),
    });
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
  return { schemas, excludeTables: trackingTableNames(table) };
}

/** The requested schemas minus those the driver says are managed, deduplicated, in the given order. */
export function comparableSchemas(
  schemas: readonly string[],
  driver: Pick<DialectAdapter, 'isManagedSchema'>,
): string[] {
  return [...new Set(schemas)].filter((s) => !driver.isManagedSchema(s));
}
