import type { AutoCodegenResult } from '../codegen/auto-codegen.ts';
import type { TypesCheck } from '../codegen/check-generated-types.ts';
import type { CodegenLog } from '../codegen/codegen-log.ts';
import type { ParityReport } from '../codegen/dialect-parity.ts';
import type { CodegenWriteResult } from '../codegen/run-codegen.ts';
import { ConfigError } from '../config/config-error.ts';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { Migrator } from '../engine/migrator.ts';
import { runSeeds, type SeedResult } from '../engine/seed-runner.ts';
import { signalGuard } from '../engine/signal-guard.ts';
import type { MigrationSource } from '../engine/types.ts';
import {
  type Connection,
  engineFor,
  loadCheckedSources,
  lockOptionsOf,
  type MigratorExtras,
  openConnection,
  trackingTableOf,
} from '../open-migrator.ts';
import { type CreatedMigration, createMigrationFile } from '../sources/create-migration-file.ts';
import { type CreatedRepeatable, createRepeatableFile } from '../sources/create-repeatable-file.ts';
import { FileMigrationProvider } from '../sources/file-migration-provider.ts';
import { platformReferenceHints } from '../sources/platform-references.ts';
import { loadSeeds } from '../sources/seed-files.ts';
import {
  type CheckContext,
  type DriftOptions,
  type LintRunOptions,
  runDrift,
  runLint,
  runVerify,
  type VerifyOptions,
} from './checks.ts';
import { type ImportHistoryOptions, importHistory } from './import-history.ts';
import type {
  BaselineResult,
  DatabaseInfo,
  DriftResult,
  ForceResult,
  LintResult,
  MigrationPlan,
  PlanRequest,
  RepairResult,
  RunResult,
  StatusReport,
  VerifyResult,
} from './results.ts';

export type { ImportHistoryOptions };

export interface CodegenCallOptions {
  /** Introspect the connected database instead of building the migrations on a scratch PostgreSQL (needs a URL). */
  readonly fromLive?: boolean;
  /** Progress lines (e.g. "Started a scratch PostgreSQL"). */
  readonly log?: CodegenLog;
}

/**
 * The one door: every operation of kmigrate on one database and one folder
 * of migrations. Built by createMigrator; the CLI is a thin renderer over it.
 * Opens its connection on first use; close() releases it (a caller's Kysely
 * instance is never destroyed).
 */
export class KMigrator {
  readonly config: ResolvedConfig;
  readonly #db: AnyKysely | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #extras: MigratorExtras;
  readonly #readOnly: boolean;
  #connection: Promise<Connection> | undefined;

  constructor(
    config: ResolvedConfig,
    options: { db?: AnyKysely; env?: NodeJS.ProcessEnv; extras?: MigratorExtras; readOnly?: boolean },
  ) {
    this.config = config;
    this.#db = options.db;
    this.#env = options.env ?? process.env;
    this.#extras = options.extras ?? {};
    this.#readOnly = options.readOnly ?? false;
  }

  /** Where it works (safe to print), and the driver's confirmation policy. */
  async database(): Promise<DatabaseInfo> {
    const { label, adapter } = await this.#connect();
    return { label, displayName: adapter.displayName, confirmDestructive: adapter.confirmDestructive };
  }

  /** Applies every pending migration. */
  latest(): Promise<RunResult> {
    return this.#run((m) => m.latest());
  }

  /** Applies the next `steps` pending migrations (default: all). */
  up(options: { steps?: number } = {}): Promise<RunResult> {
    return this.#run((m) => m.up(options.steps !== undefined ? { steps: options.steps } : {}));
  }

  /** Rolls back the newest `steps` migrations (default 1); fails before anything runs if one has no down. */
  down(options: { steps?: number } = {}): Promise<RunResult> {
    return this.#run((m) => m.down({ steps: options.steps ?? 1 }));
  }

  /** Moves up or down to exactly `version` (0 = roll everything back). */
  to(version: number): Promise<RunResult> {
    return this.#run((m) => m.to(version));
  }

  /** Rolls back the newest migration and applies it again. */
  redo(): Promise<RunResult> {
    return this.#run((m) => m.redo());
  }

  /** The run `request` names (what the CLI's run commands call): latest, up, down, to or redo. */
  run(request: PlanRequest): Promise<RunResult> {
    return this.#run((m) => runRequest(m, request));
  }

  /** Where every migration stands; never refuses. */
  status(): Promise<StatusReport> {
    return this.#run((m) => m.status());
  }

  /**
   * Dry run: the steps `request` (default latest) would run, with the SQL each
   * sends (TypeScript migrations are run against a recording Kysely). Refuses
   * what the real run would refuse; changes nothing. For redo: its down step.
   */
  async plan(request: PlanRequest = { command: 'latest' }): Promise<MigrationPlan> {
    const { label } = await this.#connect();
    const run = await this.#run((m) => runRequest(m, request), { dryRun: true });
    return {
      direction: run.direction,
      steps: run.planned ?? [],
      repeatables: run.plannedRepeatables ?? [],
      database: label,
    };
  }

  /** After fixing a dirty state by hand: records `version` as applied, or (notApplied) removes its row. */
  async force(
    version: number,
    options: { notApplied?: boolean; override?: boolean } = {},
  ): Promise<ForceResult> {
    await this.#run((m) => m.force(version, options));
    return { version, applied: !options.notApplied };
  }

  /** Accepts the current files' checksums; with forgetMissing, drops rows whose file is gone. */
  repair(options: { forgetMissing?: boolean } = {}): Promise<RepairResult> {
    return this.#run((m) => m.repair(options.forgetMissing ? { forgetMissing: true } : {}));
  }

  /** Adopts an existing database: records every migration up to `version` as applied without running it. */
  async baseline(version: number, options: { dryRun?: boolean } = {}): Promise<BaselineResult> {
    const { label } = await this.#connect();
    const dryRun = options.dryRun ?? false;
    const baselined = await this.#run((m) => m.baseline(version, `baseline ${version} (migrate baseline)`), {
      dryRun,
    });
    return { database: label, dryRun, from: null, version, baselined, dirty: null, renamedTable: null };
  }

  /** Adopts golang-migrate's or the Supabase CLI's history, all or nothing; refuses any mismatch. */
  async importHistory(options: ImportHistoryOptions): Promise<BaselineResult> {
    const sources = await this.#sources();
    return importHistory(this.config, await this.#connect(), sources, {
      ...options,
      ...(this.#extras.appliedBy ? { appliedBy: this.#extras.appliedBy } : {}),
    });
  }

  /**
   * Runs the seeds (config seedsDir) in order, each in its own transaction under
   * the migration lock. The caller checks first that the database is migrated.
   */
  async seed(options: { onSeed?: (result: SeedResult) => void } = {}): Promise<SeedResult[]> {
    const { db, adapter } = await this.#connect();
    return runSeeds({
      db,
      adapter,
      table: trackingTableOf(this.config),
      lock: lockOptionsOf(this.config),
      seeds: loadSeeds(this.config.seedsPath),
      ...(options.onSeed ? { onSeed: options.onSeed } : {}),
    });
  }

  /**
   * Without a platform in the config: one hint line per migration that uses
   * Supabase's objects (a plain scratch database lacks them). Say them before a scratch build.
   */
  async platformHints(): Promise<string[]> {
    if (this.config.platform) return [];
    return platformReferenceHints(this.config.migrationsPath, await this.#sources());
  }

  /** Compares the live schema with what its applied migrations build on a scratch database. Only reads it. */
  drift(options: DriftOptions = {}): Promise<DriftResult> {
    return runDrift(this.#checks(), options);
  }

  /** On a scratch database: does every migration's down reverse its up? Never touches this database. */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return runVerify(this.#checks(), options);
  }

  /** PostgreSQL safety lint (squawk + kmigrate rules) of pending (default), all, or newer migrations. */
  lint(options: LintRunOptions = {}): Promise<LintResult> {
    return runLint(this.#checks(), options);
  }

  /** Generates and writes the Kysely types (config codegen.outFile); with check or parity, only compares. */
  codegen(options: CodegenCallOptions & { check: true; full?: boolean }): Promise<TypesCheck>;
  codegen(options: { parity: true; log?: CodegenLog }): Promise<ParityReport>;
  codegen(options?: CodegenCallOptions): Promise<CodegenWriteResult>;
  async codegen(
    options: CodegenCallOptions & { check?: boolean; full?: boolean; parity?: boolean } = {},
  ): Promise<TypesCheck | ParityReport | CodegenWriteResult> {
    if (options.fromLive && this.#db)
      throw new ConfigError(
        'fromLive',
        'needs a database URL, not a Kysely instance',
        'createMigrator({ url })',
      );
    const common = { env: this.#env, ...(options.log ? { log: options.log } : {}) };
    // Loaded on demand: kysely-codegen is heavy, and a migration run never needs it.
    if (options.parity)
      return (await import('../codegen/dialect-parity.ts')).compareDialectTypes(this.config, common);
    if (options.check) {
      const { checkGeneratedTypes } = await import('../codegen/check-generated-types.ts');
      return checkGeneratedTypes(this.config, {
        ...common,
        fromLive: options.fromLive ?? false,
        full: options.full ?? false,
      });
    }
    const { generateAndWriteTypes } = await import('../codegen/run-codegen.ts');
    return generateAndWriteTypes(this.config, { ...common, fromLive: options.fromLive ?? false });
  }

  /** The after-migrate regeneration: skipped when the fingerprint says nothing changed; never throws. */
  async regenerateTypes(log: CodegenLog): Promise<AutoCodegenResult> {
    const { runAutoCodegen } = await import('../codegen/auto-codegen.ts');
    return runAutoCodegen(this.config, log, this.#env);
  }

  /** Writes a repeatable migration, R__description.sql (or .ts with ts); refuses an existing one. */
  createRepeatable(description: string, options: { ts?: boolean } = {}): CreatedRepeatable {
    return createRepeatableFile(this.config.migrationsPath, description, options);
  }

  /** Writes the next migration file (NNN_description.ts, or an .up.sql/.down.sql pair with sql). */
  createMigration(description: string, options: { sql?: boolean } = {}): Promise<CreatedMigration> {
    return createMigrationFile(this.config.migrationsPath, description, options);
  }

  /** Releases the connection (a caller's Kysely instance stays open). The migrator may be used again. */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close();
  }

  /** Files first (a bad name never costs a connection), then the connection, then the engine. */
  async #run<T>(fn: (engine: Migrator) => Promise<T>, extras: MigratorExtras = {}): Promise<T> {
    // SIGINT/SIGTERM during the run (an app's start-up) stop it cleanly (signal-guard.ts).
    const unwatch = signalGuard.watch();
    try {
      const sources = await this.#sources();
      const connection = await this.#connect();
      return await fn(engineFor(this.config, connection, sources, { ...this.#extras, ...extras }));
    } finally {
      unwatch();
    }
  }

  /** Checked against kmigrate.sum (when the folder has one), then loaded: before any database is touched. */
  #sources(): Promise<readonly MigrationSource[]> {
    return loadCheckedSources(this.config);
  }

  #connect(): Promise<Connection> {
    if (!this.#connection) {
      const opening = openConnection(this.config, this.#db, { readOnly: this.#readOnly });
      this.#connection = opening;
      // A failed open is not cached: the next call tries again.
      opening.catch(() => {
        if (this.#connection === opening) this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  #checks(): CheckContext {
    return {
      config: this.config,
      env: this.#env,
      fromInstance: this.#db !== undefined,
      sources: () => this.#sources(),
      repeatables: () =>
        new FileMigrationProvider({ migrationFolder: this.config.migrationsPath }).loadRepeatables(),
      connect: () => this.#connect(),
      pendingVersions: async () => {
        const { label } = await this.#connect();
        const status = await this.status();
        const pending = status.entries.filter((e) => e.state === 'pending' || e.state === 'out-of-order');
        const due = status.repeatables.filter((r) => r.state === 'pending' || r.state === 'outdated');
        return {
          versions: new Set(pending.map((e) => e.version)),
          repeatables: new Set(due.map((r) => r.id)),
          database: label,
        };
      },
    };
  }
}

function runRequest(m: Migrator, request: PlanRequest): Promise<RunResult> {
  switch (request.command) {
    case 'latest':
      return m.latest();
    case 'up':
      return m.up(request.steps !== undefined ? { steps: request.steps } : {});
    case 'down':
      return m.down({ steps: request.steps ?? 1 });
    case 'to':
      return m.to(request.version);
    case 'redo':
      return m.redo();
  }
}
