import type { InvalidIndex } from './invalid-index.ts';
import type { PlannedStep } from './planned-step.ts';
import type { RepeatableRunFields } from './repeatable-hook.ts';
import type { RepeatableStatusEntry } from './repeatable-types.ts';
import type { Direction, MigrationResult, StatusEntry } from './types.ts';

export type { PlannedStep } from './planned-step.ts';

/** What a run command (latest, up, down, to, redo) did, or with dryRun would do. */
export interface RunResult extends RepeatableRunFields {
  direction: Direction;
  results: MigrationResult[];
  /** Only for dry runs. */
  planned?: PlannedStep[];
}

export interface StatusReport {
  entries: StatusEntry[];
  /** Newest applied version, 0 when none. */
  currentVersion: number;
  pending: number;
  /** A step did not finish and nobody is running it: a human must look. */
  dirty: boolean;
  /** A non-transactional step is running right now in another process (it holds the lock). */
  inProgress: boolean;
  /** False when the tracking table does not exist yet. */
  initialized: boolean;
  /** INVALID indexes in the tracking table's schema (a failed CREATE INDEX CONCURRENTLY): a warning. */
  invalidIndexes: InvalidIndex[];
  /** The repeatable migrations (R__*): applied / outdated / pending / missing. */
  repeatables: RepeatableStatusEntry[];
}
