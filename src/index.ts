import type { MigrateConfigInput } from './config/define-config.ts';
import { loadConfig, resolveConfig } from './config/load-config.ts';
import type { RunResult, StatusReport } from './engine/migrator.ts';
import type { MigrationResult } from './engine/types.ts';
import { type MigratorExtras, openMigrator } from './open-migrator.ts';

export { ConfigError } from './config/config-error.ts';
export type { MigrateConfigInput } from './config/define-config.ts';
export { defineConfig } from './config/define-config.ts';
export { dialectOf } from './dialects/adapter-for-kysely.ts';
export {
  ChecksumMismatchError,
  ConfirmationRequiredError,
  ConflictingMigrationError,
  ConnectionError,
  DevelopmentOnlyError,
  DirtyDatabaseError,
  ForceRefusedError,
  HistoryChangedError,
  IntegritySumError,
  LockTimeoutError,
  MigrateError,
  MigrationFailedError,
  MigrationFileError,
  MissingDownError,
  NotMigratedError,
  OutOfOrderError,
  PoolerRefusedError,
  SeedFailedError,
  TrackingTableError,
  UnknownVersionError,
} from './engine/errors.ts';
export type { OpenMigrator } from './open-migrator.ts';

import type { AnyKysely } from './engine/any-kysely.ts';

export { isLocalDatabase } from './dialects/local-database.ts';
export {
  type ResetOptions,
  type ResetOutcome,
  resetDatabase,
  SQLITE_COMPANIONS,
} from './dialects/reset-database.ts';
export type { MigrationEvent, RunResult, StatusReport } from './engine/migrator.ts';
export { type RunSeedsInput, runSeeds, type SeedResult } from './engine/seed-runner.ts';
export type { MigrationResult, StatusEntry } from './engine/types.ts';
export {
  buildSchemaFile,
  readSchemaFile,
  type SchemaFileDialect,
  schemaFileFingerprint,
} from './schema-file/build-schema-file.ts';
export { readSchemaFileFingerprint, schemaFileBody } from './schema-file/render-schema-file.ts';
export { FileMigrationProvider } from './sources/file-migration-provider.ts';
export {
  assertIntegritySum,
  computeIntegritySum,
  INTEGRITY_SUM_FILE,
  type IntegritySum,
  integritySumEnabled,
  integritySumExists,
  writeIntegritySum,
} from './sources/integrity-sum.ts';
export { formatMigrationId } from './sources/migration-name.ts';
export { loadSeeds, nextSeedPrefix, type SeedSource } from './sources/seed-files.ts';

/** A database URL (postgres://…, sqlite:PATH) or a Kysely instance you built. */
export type DatabaseInput = string | AnyKysely;

export interface MigrateOptions extends MigratorExtras {
  /**
   * Same keys as kysely.config.ts. Without it, the nearest kysely.config.* from `cwd` upward is
   * loaded (as the CLI does); with neither, migrationsDir defaults to ./migrations.
   */
  config?: MigrateConfigInput;
  /** Where the config is looked for and relative paths resolve; default process.cwd(). */
  cwd?: string;
}

/** Applies every pending migration. Throws DirtyDatabaseError, ChecksumMismatchError, LockTimeoutError, MigrationFailedError, … */
export async function migrateToLatest(
  database: DatabaseInput,
  options: MigrateOptions = {},
): Promise<MigrationResult[]> {
  return (await run(database, options, (m) => m.latest())).results;
}

/** Applies the next `steps` pending migrations (default 1). */
export async function migrateUp(
  database: DatabaseInput,
  options: MigrateOptions & { steps?: number } = {},
): Promise<MigrationResult[]> {
  return (await run(database, options, (m) => m.up({ steps: options.steps ?? 1 }))).results;
}

/** Rolls back the newest `steps` migrations (default 1); fails before anything runs if one has no down. */
export async function migrateDown(
  database: DatabaseInput,
  options: MigrateOptions & { steps?: number } = {},
): Promise<MigrationResult[]> {
  return (await run(database, options, (m) => m.down({ steps: options.steps ?? 1 }))).results;
}

/** Moves up or down to exactly `version` (0 = roll everything back). */
export async function migrateTo(
  database: DatabaseInput,
  version: number,
  options: MigrateOptions = {},
): Promise<MigrationResult[]> {
  return (await run(database, options, (m) => m.to(version))).results;
}

/** Where every migration stands; never refuses. */
export async function getStatus(
  database: DatabaseInput,
  options: MigrateOptions = {},
): Promise<StatusReport> {
  return run(database, options, (m) => m.status());
}

async function run<T>(
  database: DatabaseInput,
  options: MigrateOptions,
  fn: (migrator: import('./engine/migrator.ts').Migrator) => Promise<T>,
): Promise<T> {
  const url = typeof database === 'string' ? database : undefined;
  const cwd = options.cwd ?? process.cwd();
  // env: {} — the database is the argument, never DATABASE_URL behind the caller's back.
  const config = options.config
    ? resolveConfig(options.config, { cwd, env: {}, overrides: url ? { url } : {} })
    : await loadConfig({ cwd, env: {}, overrides: url ? { url } : {} });
  const { cwd: _cwd, config: _config, ...extras } = options;
  const opened = await openMigrator(config, extras, typeof database === 'string' ? undefined : database);
  try {
    return await fn(opened.migrator);
  } finally {
    await opened.close();
  }
}

export { MissingPackageError } from './config/missing-package-error.ts';
export { logStatementsTo } from './dialects/statement-log.ts';
export { adviceCommand } from './engine/advice.ts';
export { MissingToolError } from './engine/missing-tool-error.ts';
export type { AdoptionResult } from './init/adopt-live-database.ts';
export { AdoptionRefusedError, adoptLiveDatabase } from './init/adopt-live-database.ts';
export type { InitOptions, InitStep } from './init/init-project.ts';
export { initProject } from './init/init-project.ts';
export type { RunResult as MigrationRun };
