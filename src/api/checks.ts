/**
 * drift, verify and lint as the facade runs them: the wiring of files,
 * scratch databases (src/dialects) and the engine's pure checks. No dialect
 * is named here; the scratch database's dialect is the live driver's, or the
 * one the caller asked for.
 */
import path from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import type { DatabaseTarget } from '../config/database-url.ts';
import type { ResolvedConfig } from '../config/load-config.ts';
import { isManagedSchema } from '../dialects/postgres/managed-schemas.ts';
import { openScratchDatabase } from '../dialects/scratch-database.ts';
import { comparableSchemas, detectDrift, type ScratchMigratorSettings } from '../engine/drift.ts';
import type { RepeatableSource } from '../engine/repeatable-types.ts';
import type { MigrationSource } from '../engine/types.ts';
import { type VerifyEvent, verifyMigrations } from '../engine/verify.ts';
import { DEFAULT_LINT_PG_VERSION, lintMigrations } from '../lint/lint-migrations.ts';
import { repeatablesForLint } from '../lint/lint-repeatables.ts';
import { type Connection, lockOptionsOf, trackingTableOf } from '../open-migrator.ts';
import type { DriftResult, LintResult, VerifyResult } from './results.ts';

export interface DriftOptions {
  /** Our schemas to compare (default: the config's schema); managed (Supabase, pg_*) ones are refused. */
  readonly schemas?: readonly string[];
  /** Called with the scratch database's label once it is open (for a verbose log). */
  readonly onScratch?: (label: string) => void;
}

export interface VerifyOptions {
  /** The scratch database's dialect; default the configured database's. */
  readonly dialect?: DatabaseTarget['dialect'];
  readonly schemas?: readonly string[];
  /** Before the first migration: where it runs and how many it checks. */
  readonly onStart?: (info: { scratch: string; total: number }) => void;
  readonly onEvent?: (event: VerifyEvent) => void;
}

export interface LintRunOptions {
  /** `pending` (default; reads the database's history), `all`, or those newer than `since`. */
  readonly scope?: 'pending' | 'all' | { readonly since: number };
  /** PostgreSQL version squawk assumes. */
  readonly pgVersion?: string;
  /** How a migration file is printed; default relative to cwd. */
  readonly displayPath?: (file: string) => string;
}

/** What the checks need from the facade. */
export interface CheckContext {
  readonly config: ResolvedConfig;
  readonly env: NodeJS.ProcessEnv;
  /** True for a caller's Kysely instance: its URL is unknown, so no scratch database is made next to it. */
  readonly fromInstance: boolean;
  sources(): Promise<readonly MigrationSource[]>;
  /** The repeatable migrations (R__*), read after sources() checked the folder. */
  repeatables(): Promise<readonly RepeatableSource[]>;
  connect(): Promise<Connection>;
  /** Pending versions, and the repeatables a run would apply (pending or outdated), by id. */
  pendingVersions(): Promise<{ versions: Set<number>; repeatables: Set<string>; database: string }>;
}

/** The schemas to compare: `requested`, else the config's; refuses a list of only managed ones. */
export function ourSchemas(requested: readonly string[] | undefined, configSchema: string): string[] {
  // Before any connection: the managed list is the same for every driver that has one (PostgreSQL's).
  const schemas = comparableSchemas(requested ?? [configSchema], { isManagedSchema });
  if (!schemas.length)
    throw new ConfigError(
      'schema',
      `${configSchema} is managed by Supabase/PostgreSQL and is never compared`,
      'your own schema, e.g. public, or pass --schema',
    );
  return schemas;
}

function scratchSettings(config: ResolvedConfig): ScratchMigratorSettings {
  return { ...lockOptionsOf(config), lockRetries: 0 };
}

export async function runDrift(ctx: CheckContext, options: DriftOptions): Promise<DriftResult> {
  const { config } = ctx;
  const schemas = ourSchemas(options.schemas, config.schema);
  const sources = await ctx.sources();
  const live = await ctx.connect();
  const report = await detectDrift({
    live,
    openScratch: async () => {
      const scratch = await openScratchDatabase({
        dialect: live.adapter.dialect,
        // A Kysely instance's server is unknown: embedded PostgreSQL unless a scratch URL is set.
        ...(ctx.fromInstance ? { allowEmbedded: true } : { live: config.database }),
        env: ctx.env,
        resetSchemas: [...schemas, config.schema],
        connectTimeoutMs: config.connectTimeoutMs,
        ...(config.platform ? { platform: config.platform } : {}),
      });
      options.onScratch?.(scratch.label);
      return scratch;
    },
    sources,
    repeatables: await ctx.repeatables(),
    table: trackingTableOf(config),
    schemas,
    settings: scratchSettings(config),
  });
  return { database: live.label, ...report, drift: report.differences.length > 0 };
}

export async function runVerify(ctx: CheckContext, options: VerifyOptions): Promise<VerifyResult> {
  const { config } = ctx;
  // Bad names, duplicate versions and unloadable files throw MigrationFileError before any database is made.
  const sources = await ctx.sources();
  await Promise.all(sources.map((s) => s.load()));
  const repeatables = await ctx.repeatables();
  await Promise.all(repeatables.map((r) => r.load()));
  const dialect = options.dialect ?? config.database.dialect;
  const schemas = ourSchemas(options.schemas, config.schema);
  if (!sources.length) return { dialect, schemas, checked: 0, total: 0, findings: [], ok: true };
  const open = () =>
    openScratchDatabase({
      dialect,
      live: config.database,
      env: ctx.env,
      resetSchemas: [...schemas, config.schema],
      connectTimeoutMs: config.connectTimeoutMs,
      allowEmbedded: true,
      ...(config.platform ? { platform: config.platform } : {}),
    });
  let scratch = await open();
  try {
    options.onStart?.({ scratch: scratch.label, total: sources.length });
    const report = await verifyMigrations({
      scratch,
      // After a down that does not reverse, the check goes on on a fresh scratch database.
      reopen: async () => {
        await scratch.close();
        scratch = await open();
        return scratch;
      },
      sources,
      repeatables,
      table: trackingTableOf(config),
      schemas,
      settings: scratchSettings(config),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    return { dialect, ...report, ok: report.findings.length === 0 };
  } finally {
    await scratch.close();
  }
}

export async function runLint(ctx: CheckContext, options: LintRunOptions): Promise<LintResult> {
  const { config } = ctx;
  const scope = options.scope ?? 'pending';
  const all = await ctx.sources();
  // Repeatables run after the versioned ones: linted after them (all of them, or the ones due).
  const repeatables = repeatablesForLint(await ctx.repeatables());
  let sources: readonly MigrationSource[];
  let label: string;
  if (scope === 'all') [sources, label] = [[...all, ...repeatables], 'all migrations'];
  else if (scope !== 'pending')
    [sources, label] = [
      [...all.filter((s) => s.version > scope.since), ...repeatables],
      `migrations after ${scope.since}`,
    ];
  else {
    const pending = await ctx.pendingVersions();
    [sources, label] = [
      [
        ...all.filter((s) => pending.versions.has(s.version)),
        ...repeatables.filter((r) => pending.repeatables.has(r.id)),
      ],
      `pending migrations on ${pending.database}`,
    ];
  }
  if (!sources.length)
    return { scope: label, linted: [], findings: [], suppressed: [], errors: 0, warnings: 0 };
  const report = await lintMigrations(sources, {
    migrationsPath: config.migrationsPath,
    displayPath:
      options.displayPath ??
      ((file) => path.relative(process.cwd(), path.join(config.migrationsPath, file)) || file),
    pgVersion: options.pgVersion ?? DEFAULT_LINT_PG_VERSION,
    env: ctx.env,
  });
  return { scope: label, ...report };
}
