/**
 * kmigrate's public API: the one door. `createMigrator` returns a KMigrator
 * with every operation; the free functions are one-line conveniences over it.
 * The CLI (src/cli) imports only this file (a Biome rule keeps it so).
 */
import { migratorForConfig } from './api/create-migrator.ts';
import type { PlannedStepResult, StatusReport, StepResult } from './api/results.ts';
import type { MigrateConfigInput } from './config/define-config.ts';
import { loadConfig, resolveConfig } from './config/load-config.ts';
import type { AnyKysely } from './engine/any-kysely.ts';
import type { MigratorExtras } from './open-migrator.ts';

export { type DriftOptions, type LintRunOptions, ourSchemas, type VerifyOptions } from './api/checks.ts';
export {
  type CreateMigratorOptions,
  createMigrator,
  type MigratorBehaviour,
  migratorForConfig,
} from './api/create-migrator.ts';
export { type CodegenCallOptions, type ImportHistoryOptions, KMigrator } from './api/kmigrator.ts';
export type {
  BaselineResult,
  DatabaseInfo,
  DriftResult,
  ForceResult,
  LintResult,
  MigrationPlan,
  PlannedStep,
  PlannedStepResult,
  PlanRequest,
  RepairResult,
  RunResult,
  StatusReport,
  StepResult,
  VerifyResult,
} from './api/results.ts';
export type { AutoCodegenResult } from './codegen/auto-codegen.ts';
export type { TypesCheck } from './codegen/check-generated-types.ts';
export { CodegenError } from './codegen/codegen-error.ts';
export type { CodegenLog } from './codegen/codegen-log.ts';
export type { ParityDifference, ParityReport } from './codegen/dialect-parity.ts';
export type { CodegenWriteResult } from './codegen/run-codegen.ts';
export { ConfigError } from './config/config-error.ts';
export { redactUrl } from './config/database-url.ts';
export type { MigrateConfigInput } from './config/define-config.ts';
export { defineConfig } from './config/define-config.ts';
export { type ConfigOverrides, loadConfig, type ResolvedConfig } from './config/load-config.ts';
export { dialectOf } from './dialects/adapter-for-kysely.ts';
export { isLocalDatabase } from './dialects/local-database.ts';
export { isManagedSchema } from './dialects/postgres/managed-schemas.ts';
export {
  describeReset,
  describeResetScope,
  type ResetOptions,
  type ResetOutcome,
  resetDatabase,
  SQLITE_COMPANIONS,
} from './dialects/reset-database.ts';
export { ScratchDatabaseError } from './dialects/scratch-database.ts';
export { TOOL_NAME, TOOL_VERSION } from './engine/applied-by.ts';
export {
  BatchOutcomeUnknownError,
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
  NotConfirmedError,
  NotMigratedError,
  OutOfOrderError,
  PoolerRefusedError,
  RunNotDurableError,
  SeedFailedError,
  TrackingTableError,
  UnknownVersionError,
} from './engine/errors.ts';
export { HistoryImportError, type ImportTool } from './engine/history-import.ts';
export { type InterruptedState, MigrationInterruptedError } from './engine/interrupted-error.ts';
export {
  dropInvalidIndexSql,
  type InvalidIndex,
  InvalidIndexLeftError,
  invalidIndexLabel,
} from './engine/invalid-index.ts';
export { LockContentionError } from './engine/lock-contention-error.ts';
export type { LockHolder } from './engine/lock-holder.ts';
export type { MigrationEvent } from './engine/migrator.ts';
export { RepeatableFailedError, RepeatableInterruptedError } from './engine/repeatable-errors.ts';
export type {
  PlannedRepeatable,
  RepeatableResult,
  RepeatableState,
  RepeatableStatusEntry,
} from './engine/repeatable-types.ts';
export { type DifferenceWording, formatDifference, type SchemaDifference } from './engine/schema-diff.ts';
export { ScratchBuildError } from './engine/scratch-build.ts';
export { type RunSeedsInput, runSeeds, type SeedResult } from './engine/seed-runner.ts';
export type { StatusEntry } from './engine/types.ts';
export {
  describeFinding,
  VERIFY_WORDING,
  type VerifyEvent,
  type VerifyFinding,
  type VerifyOutcome,
} from './engine/verify.ts';
export { formatFinding } from './lint/format-finding.ts';
export { DEFAULT_LINT_PG_VERSION, type LintFinding } from './lint/lint-migrations.ts';
export type { OpenMigrator } from './open-migrator.ts';
export {
  buildSchemaFile,
  readSchemaFile,
  type SchemaFileDialect,
  schemaFileFingerprint,
} from './schema-file/build-schema-file.ts';
export { readSchemaFileFingerprint, schemaFileBody } from './schema-file/render-schema-file.ts';
export type { CreatedMigration } from './sources/create-migration-file.ts';
export { type CreatedRepeatable, createRepeatableFile } from './sources/create-repeatable-file.ts';
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

/** @deprecated Kysely's MigrationResult has another shape; use StepResult. */
export type MigrationResult = StepResult;

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

/**
 * Applies every pending migration. Throws DirtyDatabaseError, ChecksumMismatchError, LockTimeoutError,
 * MigrationFailedError, … With dryRun: the planned steps (status 'planned', with their SQL), nothing changed.
 */
export async function migrateToLatest(
  database: DatabaseInput,
  options: MigrateOptions = {},
): Promise<StepResult[]> {
  return steps(database, options, { command: 'latest' });
}

/** Applies the next `steps` pending migrations (default 1). */
export async function migrateUp(
  database: DatabaseInput,
  options: MigrateOptions & { steps?: number } = {},
): Promise<StepResult[]> {
  return steps(database, options, { command: 'up', steps: options.steps ?? 1 });
}

/** Rolls back the newest `steps` migrations (default 1); fails before anything runs if one has no down. */
export async function migrateDown(
  database: DatabaseInput,
  options: MigrateOptions & { steps?: number } = {},
): Promise<StepResult[]> {
  return steps(database, options, { command: 'down', steps: options.steps ?? 1 });
}

/** Moves up or down to exactly `version` (0 = roll everything back). */
export async function migrateTo(
  database: DatabaseInput,
  version: number,
  options: MigrateOptions = {},
): Promise<StepResult[]> {
  return steps(database, options, { command: 'to', version });
}

/** Where every migration stands; never refuses. */
export async function getStatus(
  database: DatabaseInput,
  options: MigrateOptions = {},
): Promise<StatusReport> {
  return withMigrator(database, options, (m) => m.status());
}

type StepCommand = Exclude<import('./api/results.ts').PlanRequest, { command: 'redo' }>;

function steps(
  database: DatabaseInput,
  options: MigrateOptions,
  request: StepCommand,
): Promise<StepResult[]> {
  return withMigrator(database, options, async (m) => {
    if (!options.dryRun) {
      if (request.command === 'latest') return (await m.latest()).results;
      if (request.command === 'up') return (await m.up({ steps: request.steps ?? 1 })).results;
      if (request.command === 'down') return (await m.down({ steps: request.steps ?? 1 })).results;
      return (await m.to(request.version)).results;
    }
    const plan = await m.plan(request);
    return plan.steps.map((s): PlannedStepResult => ({ ...s, status: 'planned', ms: 0 }));
  });
}

async function withMigrator<T>(
  database: DatabaseInput,
  options: MigrateOptions,
  fn: (m: import('./api/kmigrator.ts').KMigrator) => Promise<T>,
): Promise<T> {
  const { config: raw, cwd = process.cwd(), dryRun: _dryRun, ...behaviour } = options;
  const url = typeof database === 'string' ? database : undefined;
  // env: {} — the database is the argument, never DATABASE_URL behind the caller's back. Without
  // `config`, kysely.config.ts is found upward from cwd, as the CLI finds it.
  const overrides = url ? { url } : {};
  const config = raw
    ? resolveConfig(raw, { cwd, env: {}, overrides })
    : await loadConfig({ cwd, env: {}, overrides });
  const migrator = migratorForConfig(config, {
    ...(typeof database === 'string' ? {} : { db: database }),
    ...behaviour,
  });
  try {
    return await fn(migrator);
  } finally {
    await migrator.close();
  }
}

export { MissingPackageError } from './config/missing-package-error.ts';
export { detectSupabase } from './config/platform.ts';
export { detectPlatform, type PlatformDetection } from './dialects/detect-platform.ts';
export { logStatementsTo } from './dialects/statement-log.ts';
export { adviceCommand } from './engine/advice.ts';
export { MissingToolError } from './engine/missing-tool-error.ts';
export type { AdoptionResult } from './init/adopt-live-database.ts';
export { AdoptionRefusedError, adoptLiveDatabase } from './init/adopt-live-database.ts';
export type { InitOptions, InitStep } from './init/init-project.ts';
export { initProject } from './init/init-project.ts';
