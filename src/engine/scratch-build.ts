import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import { MigrateError, MigrationFailedError, oneLine } from './errors.ts';
import { Migrator, type MigratorOptions } from './migrator.ts';
import { RepeatableFailedError } from './repeatable-errors.ts';
import type { RepeatableSource } from './repeatable-types.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

/** A database and the adapter that reads it. */
export interface DatabaseHandle {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
}

/**
 * An empty database that drift, verify and codegen may change freely (made by
 * the scratch-database service in src/dialects). close() also removes it.
 */
export interface ScratchHandle extends DatabaseHandle {
  /** Where it is, safe to print, e.g. `an embedded PostgreSQL 17`. */
  readonly label: string;
  /**
   * What to do when a migration fails here, when the service knows better
   * than "fix the migration" (e.g. it references Supabase's auth schema and
   * the platform setting is off).
   */
  advise?(error: MigrationFailedError): string | undefined;
  close(): Promise<void>;
}

/** Settings a scratch build shares with the live migrator (lock and statement timeouts). */
export type ScratchMigratorSettings = Pick<
  MigratorOptions,
  'lockTimeoutMs' | 'statementLockTimeoutMs' | 'statementTimeoutMs' | 'lockRetries' | 'appliedBy'
>;

/** A migration failed on a scratch database. No real database was touched. Exit 1. */
export class ScratchBuildError extends MigrateError {
  override readonly name = 'ScratchBuildError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    /** `file:line` where known. */
    readonly where: string,
    readonly reason: string,
    readonly scratchLabel: string,
    readonly advice: string,
    options?: { cause?: unknown; repeatable?: boolean },
  ) {
    // A repeatable (version 0) is named by its id, R__name.
    const what = options?.repeatable
      ? `repeatable migration ${migrationName}`
      : `migration ${version}_${migrationName}`;
    super(
      `${where}: ${what} failed on the scratch database (${scratchLabel}): ${oneLine(reason)}; ${advice}`,
      options,
    );
  }
}

/** Advice when the service has none better. */
export const DEFAULT_SCRATCH_ADVICE = 'fix the migration (no real database was touched)';

/**
 * Runs `fn`, which applies migrations on `scratch`; a MigrationFailedError
 * becomes a ScratchBuildError naming the scratch database and what to do.
 * The one place "build on a scratch database, then rewrap" is written
 * (drift, verify and codegen all come through here).
 */
export async function onScratch<T>(scratch: ScratchHandle, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof MigrationFailedError)) throw error;
    const where = error.line ? `${error.file}:${error.line}` : error.file;
    throw new ScratchBuildError(
      error.version,
      error.migrationName,
      where,
      error.databaseMessage,
      scratch.label,
      scratch.advise?.(error) ?? DEFAULT_SCRATCH_ADVICE,
      { cause: error, ...(error instanceof RepeatableFailedError ? { repeatable: true } : {}) },
    );
  }
}

export interface ScratchBuildInput {
  readonly sources: readonly MigrationSource[];
  /** Applied after every versioned step (latest reaches the newest version). */
  readonly repeatables?: readonly RepeatableSource[];
  readonly table: TrackingTable;
  readonly settings?: ScratchMigratorSettings;
}

/** A migrator on the scratch database (out-of-order allowed: the scratch has no history to respect). */
export function scratchMigrator(scratch: DatabaseHandle, input: ScratchBuildInput): Migrator {
  return new Migrator({
    ...input.settings,
    db: scratch.db,
    adapter: scratch.adapter,
    sources: input.sources,
    ...(input.repeatables ? { repeatables: input.repeatables } : {}),
    table: input.table,
    allowOutOfOrder: true,
  });
}

/** Applies `sources` in version order, then the repeatables, on the scratch database, with the engine's own runner. */
export async function buildOnScratch(scratch: ScratchHandle, input: ScratchBuildInput): Promise<void> {
  await onScratch(scratch, () => scratchMigrator(scratch, input).latest());
}
