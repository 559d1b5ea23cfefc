import { baselineVersions } from './commands/baseline-versions.ts';
import { type ForceOptions, forceVersion } from './commands/force-version.ts';
import { migrateDown } from './commands/migrate-down.ts';
import { migrateTo } from './commands/migrate-to.ts';
import { migrateUp } from './commands/migrate-up.ts';
import { readStatus } from './commands/read-status.ts';
import { redoNewest } from './commands/redo-newest.ts';
import { repairChecksums } from './commands/repair-checksums.ts';
import { type MigratorOptions, RunContext } from './run-context.ts';
import type { RunResult, StatusReport } from './run-result.ts';
import type { TrackingStore } from './tracking-store.ts';
import type { TrackingRow, TrackingTable } from './types.ts';

export {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STATEMENT_LOCK_TIMEOUT_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  type MigratorOptions,
} from './run-context.ts';
export type { PlannedStep, RunResult, StatusReport } from './run-result.ts';
export { DEFAULT_LOCK_RETRIES, type MigrationEvent } from './step-runner.ts';

/**
 * The engine's commands, one file each in ./commands/. Every state-changing
 * one takes one path: read the history (optimistically, one query, no lock),
 * plan, then run each step under the lock only if the history is still the
 * one planned from (StepRunner's guard). A no-op costs the one read.
 */
export class Migrator {
  readonly #ctx: RunContext;

  constructor(options: MigratorOptions) {
    this.#ctx = new RunContext(options);
  }

  get table(): TrackingTable {
    return this.#ctx.table;
  }

  /** The tracking store this migrator writes through (the history import uses it too). */
  get store(): TrackingStore {
    return this.#ctx.store;
  }

  /** The tracking rows as they are now (one query); null before the first migration. */
  trackingRows(): Promise<TrackingRow[] | null> {
    return this.#ctx.store.read(this.#ctx.db);
  }

  /** Applies every pending migration. With nothing to do it costs one query. */
  latest(): Promise<RunResult> {
    return this.up();
  }

  /**
   * Applies pending migrations: all, `steps` of them, or up to `target`. When
   * another process migrated meanwhile, plans again from what it did.
   */
  async up(options: { steps?: number; target?: number } = {}): Promise<RunResult> {
    return this.#ctx.repeatables.afterUp(await migrateUp(this.#ctx, options, { replan: true }));
  }

  /** Rolls back `steps` migrations (default 1), newest first. */
  down(options: { steps?: number } = {}): Promise<RunResult> {
    return migrateDown(this.#ctx, options);
  }

  /** Moves to exactly `version`: up when it is ahead, down when behind (0 = everything down). */
  async to(version: number): Promise<RunResult> {
    // Going down leaves migrations pending, so afterUp applies no repeatable then.
    return this.#ctx.repeatables.afterUp(await migrateTo(this.#ctx, version));
  }

  /** Rolls back the newest migration and applies it again, as one plan. */
  redo(): Promise<RunResult> {
    return redoNewest(this.#ctx);
  }

  /** Marks every repeatable outdated: the next run that reaches the newest version applies them again. */
  outdateRepeatables(): Promise<void> {
    return this.#ctx.repeatables.beforeRollback();
  }

  /** How each migration stands. Never refuses: it is how you find out why others do. */
  status(): Promise<StatusReport> {
    return readStatus(this.#ctx);
  }

  /** After a human fixed a dirty state: marks `version` applied, or with notApplied forgets it. */
  force(version: number, options: ForceOptions = {}): Promise<TrackingRow | undefined> {
    return forceVersion(this.#ctx, version, options);
  }

  /** Accepts the current files' checksums; with forgetMissing, drops rows whose file is gone. */
  repair(options: { forgetMissing?: boolean } = {}): Promise<{ updated: number[]; forgotten: number[] }> {
    return repairChecksums(this.#ctx, options);
  }

  /** Adopts an existing database: records every migration up to `version` as applied without running it. */
  baseline(version: number, details = 'baseline'): Promise<number[]> {
    return baselineVersions(this.#ctx, version, details);
  }
}
