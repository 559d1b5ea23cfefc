import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import type { RepeatableResult } from './repeatable-types.ts';
import type { TrackingStore } from './tracking-store.ts';
import type { Direction, LoadedMigration, MigrationResult, MigrationSource } from './types.ts';

/** One step of a plan: a migration, loaded, and the way it moves. */
export interface RunStep {
  readonly source: MigrationSource;
  readonly migration: LoadedMigration;
  readonly direction: Direction;
}

export type MigrationEvent =
  /** A plan of `steps` steps is made; the run now takes (or waits for) the migration lock. */
  | { type: 'lock'; steps: number }
  /**
   * On PostgreSQL a step's COMMIT may travel with the next step's script: its
   * `done` then comes after the next step's `start`, when the COMMIT is confirmed.
   */
  | { type: 'start'; version: number; name: string; direction: Direction }
  /** Applied migrations newer than every file (a newer release ran them): fine, but worth a warning. */
  | { type: 'ahead'; migrations: { version: number; name: string }[] }
  | { type: 'done'; result: MigrationResult }
  /** A repeatable migration was applied (again), after the versioned steps. */
  | { type: 'repeatable'; result: RepeatableResult }
  | { type: 'retry'; version: number; attempt: number; delayMs: number };

export interface StepRunnerOptions {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  readonly store: TrackingStore;
  readonly lock: LockOptions;
  /** Retries of a migration that hit lock_timeout, with exponential backoff. */
  readonly lockRetries?: number;
  /** Upper bound for one step's own work, in ms (0 = none). */
  readonly stepTimeoutMs?: number;
  readonly onEvent?: (event: MigrationEvent) => void;
}

/** `changed`: under the lock the tracking rows were not those the plan expected; nothing ran. */
/**
 * `committed`: the step's COMMIT travels with the next step's script (the
 * runner was told a next step follows); the step is done, and its `done`
 * event is emitted, only once it resolves.
 */
export type StepRunOutcome =
  | { kind: 'done'; result: MigrationResult; committed?: Promise<void> }
  | { kind: 'changed' };
