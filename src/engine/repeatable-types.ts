import type { MigrationStep } from './types.ts';

/**
 * A repeatable migration (Flyway's `R__<description>` convention): no version,
 * no down; applied after the versioned migrations of a run that reaches the
 * newest version, in name order, and applied again whenever its checksum
 * changes. It must be written to run again on top of itself (`create or
 * replace view`, `drop policy if exists` …), since that is what a change does.
 */
export interface RepeatableSource {
  /** `R__active_users`: the file name without extension; the key of its tracking row. */
  readonly id: string;
  /** The description part, `active_users`. */
  readonly name: string;
  /** The file, relative to the migrations folder. */
  readonly file: string;
  readonly kind: 'ts' | 'sql';
  /** sha256 (hex) of the normalised content, as for versioned migrations (checksum.ts). */
  readonly checksum: string;
  /** `-- kmigrate:dialects postgres` / `export const dialects = [...]`; absent: all. */
  readonly dialects?: readonly string[];
  /** The step to run (always in a transaction); throws MigrationFileError when the file is unusable. */
  load(): Promise<MigrationStep>;
}

/** One row of `<table>_repeatables`. */
export interface RepeatableRow {
  /** `R__active_users`. */
  id: string;
  checksum: string;
  appliedAt: Date;
  executionMs: number;
  appliedBy: string;
}

/**
 * `applied`: its row has the file's checksum. `outdated`: the file changed
 * since (or a rollback ran under it): the next run applies it again.
 * `pending`: never applied here. `missing`: applied, but the file is gone
 * (nothing runs; the objects it made stay).
 */
export type RepeatableState = 'applied' | 'outdated' | 'pending' | 'missing';

/** One repeatable line of `status`. */
export interface RepeatableStatusEntry {
  id: string;
  file: string | null;
  state: RepeatableState;
  checksum: string | null;
  appliedAt: Date | null;
  executionMs: number | null;
  /** Why it is recorded here without running, e.g. `postgres only: recorded, not run, on sqlite`. */
  note?: string;
}

/** What a run did with one repeatable. */
export interface RepeatableResult {
  id: string;
  file: string;
  /** `applied`: first time; `reapplied`: its checksum had changed; `skipped`: another process did it first. */
  status: 'applied' | 'reapplied' | 'skipped';
  ms: number;
  note?: string;
}

/** A dry run's repeatable: what would run, why, and the SQL it would send. */
export interface PlannedRepeatable {
  id: string;
  file: string;
  /** Its state now: pending (first time) or outdated (changed). */
  reason: 'pending' | 'outdated';
  statements: string[];
}
