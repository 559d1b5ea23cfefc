import type { SeedSource } from '../sources/seed-files.ts';
import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import { MigrateError, SeedFailedError } from './errors.ts';
import { ScriptError } from './script-error.ts';
import type { TrackingTable } from './types.ts';

export interface SeedResult {
  file: string;
  ms: number;
}

export interface RunSeedsInput {
  db: AnyKysely;
  adapter: DialectAdapter;
  /** The tracking table names the migration lock: seeds never interleave with a migration run. */
  table: TrackingTable;
  lock: LockOptions;
  seeds: readonly SeedSource[];
  onSeed?: (result: SeedResult) => void;
}

/**
 * Runs every seed in order, each in its own transaction under the migration
 * lock. A failing seed is rolled back and stops the run (the ones before it
 * stay committed: seeds are idempotent, so running again after the fix is safe).
 */
export async function runSeeds(input: RunSeedsInput): Promise<SeedResult[]> {
  const { db, adapter, table, lock } = input;
  // Every file is loaded first: a seed module that does not load fails before any seed runs.
  const steps = await Promise.all(input.seeds.map((s) => s.load()));
  const results: SeedResult[] = [];
  for (const step of steps) {
    const started = performance.now();
    try {
      await adapter.runLocked(db, table, lock, undefined, (trx) =>
        step.kind === 'code' ? step.run(trx) : adapter.executeScript(trx, step.sql, { inTransaction: true }),
      );
    } catch (error) {
      if (error instanceof ScriptError) {
        throw new SeedFailedError(step.file, error.info.message, error.location.line, { cause: error });
      }
      if (error instanceof MigrateError) throw error; // lock timeout, …: already says what to do
      throw new SeedFailedError(step.file, adapter.describeError(error).message, undefined, { cause: error });
    }
    const result = { file: step.file, ms: Math.round(performance.now() - started) };
    results.push(result);
    input.onSeed?.(result);
  }
  return results;
}
