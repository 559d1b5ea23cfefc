import type { AnyKysely } from './any-kysely.ts';

/** Which way a step moves the schema. */
export type Direction = 'up' | 'down';

/**
 * One migration as the engine sees it, whatever file format it came from.
 * `load()` is lazy so that a no-op start-up never imports modules it will not run.
 */
export interface MigrationSource {
  /** Numeric version: the file's leading digits. */
  readonly version: number;
  /** The description part of the name, e.g. `init_schema`. */
  readonly name: string;
  /** `001_init_schema`: the name without extension, as Kysely's Migrator keys it. */
  readonly id: string;
  /** File(s) the migration came from, relative to the migrations folder. */
  readonly files: readonly string[];
  readonly kind: 'ts' | 'sql';
  /** sha256 (hex) of the normalised content (see checksum.ts). */
  readonly checksum: string;
  /**
   * The dialects it is written for (`-- kmigrate:dialects postgres`,
   * `export const dialects = ['postgres']`); absent: all. On another dialect
   * the runner records it as applied, with its checksum, without running it.
   */
  readonly dialects?: readonly string[];
  /**
   * Loads the executable steps; throws MigrationFileError when the file is unusable.
   * `direction` 'up': only the up is about to run, and a source may leave the down
   * out (a `.down.sql` next to the `.up.sql` is then not read).
   */
  load(direction?: Direction): Promise<LoadedMigration>;
}

export interface LoadedMigration {
  /** False for statements such as CREATE INDEX CONCURRENTLY. */
  readonly transactional: boolean;
  readonly up: MigrationStep;
  readonly down?: MigrationStep;
}

/** A step is either Kysely code or an SQL script handed to the database whole. */
export type MigrationStep =
  | { readonly kind: 'code'; readonly file: string; run(db: AnyKysely): Promise<void> }
  | { readonly kind: 'sql'; readonly file: string; readonly sql: string };

export type MigrationState = 'applied' | 'running' | 'reverting';

/** One row of the tracking table. */
export interface TrackingRow {
  version: number;
  name: string;
  checksum: string;
  state: MigrationState;
  appliedAt: Date;
  executionMs: number;
  appliedBy: string;
  error: string | null;
}

/** Result of one step, as returned by the embedding API and printed by the CLI. */
export interface MigrationResult {
  version: number;
  name: string;
  direction: Direction;
  /** `applied`/`reverted`: done by us. `skipped`: another process did it first. */
  status: 'applied' | 'reverted' | 'skipped' | 'planned';
  ms: number;
  /** Why it did not run although recorded, e.g. `postgres only: recorded, not run, on sqlite`. */
  note?: string;
}

export type StatusState =
  | 'applied'
  | 'pending'
  | 'dirty'
  /** A non-transactional step another process is running right now (it holds the migration lock). */
  | 'in-progress'
  | 'changed'
  | 'missing'
  /** Applied by a newer release: newer than every file in this folder. */
  | 'ahead'
  | 'out-of-order';

/** One line of `status`. */
export interface StatusEntry {
  version: number;
  name: string;
  state: StatusState;
  appliedAt: Date | null;
  executionMs: number | null;
  appliedBy: string | null;
  transactional?: boolean;
  /** Why an applied migration never ran here, e.g. `postgres only: recorded, not run, on sqlite`. */
  note?: string;
}

/** Where the tracking table lives. `schema` is ignored by dialects without schemas. */
export interface TrackingTable {
  readonly schema: string;
  readonly name: string;
}
