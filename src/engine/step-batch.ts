import type { TrackingWrite } from './tracking-store.ts';

/*
 * Consecutive script steps sent in one round trip (decision 0007): on the
 * connection holding the run's session lock, a driver that can sends the
 * scripts of several SQL steps at once, each still in its own transaction with
 * its tracking writes and COMMIT, so that the database never waits for the
 * client between two migrations.
 */

/**
 * The execution time written into a batched step's tracking rows: a value no
 * step can take (times are whole and never negative). The driver writes, in
 * its place, the time the server measured from the step's BEGIN to its writes.
 */
export const SERVER_MEASURED_MS = -1.5;

/** At most this many steps in one round trip (the rest go in the next one). */
export const MAX_BATCH_STEPS = 200;

/** At most this much SQL (characters) in one round trip, unless one step alone is larger. */
export const MAX_BATCH_CHARS = 8 * 1024 * 1024;

/** One step of a batch, as the driver needs it. */
export interface BatchItem {
  /** The step's SQL, as the file gives it. */
  readonly script: string;
  /** Its tracking writes, with SERVER_MEASURED_MS for the execution time. */
  readonly writes: readonly TrackingWrite[];
}

/**
 * What a batch did. `failed`: the steps before `committed` are committed (rows
 * and schema), the one at `committed` failed and was rolled back, and none
 * after it ran. `error` is the database's (a ScriptError when it points into
 * that step's script). `retry`: the database refused the whole text before
 * running any of it (a syntax error), or the step hit lock_timeout: the steps
 * from `committed` on are to run one by one, which names the failing line and
 * retries a lock timeout as a single step does. `ended`: the step ended the
 * transaction itself, so part of it may be committed (recorded dirty).
 * `commit`: the step's COMMIT failed (a deferred constraint), which rolled it
 * back; `error` is the database's, as a single step's failing COMMIT reports it.
 */
export type BatchOutcome =
  | { readonly kind: 'done' }
  | {
      readonly kind: 'failed';
      readonly committed: number;
      readonly error: unknown;
      readonly then: 'report' | 'retry' | 'ended' | 'commit';
    };
