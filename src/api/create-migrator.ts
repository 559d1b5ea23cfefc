import type { MigrateConfigInput } from '../config/define-config.ts';
import { type ResolvedConfig, resolveConfig } from '../config/load-config.ts';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { MigratorExtras } from '../open-migrator.ts';
import { KMigrator } from './kmigrator.ts';

/** Behaviour that is not configuration: how the engine runs and reports. */
export interface MigratorBehaviour extends Omit<MigratorExtras, 'dryRun'> {
  /** Read for the scratch-database and codegen URLs (KMIGRATE_SCRATCH_DATABASE_URL, …); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface CreateMigratorOptions extends MigrateConfigInput, MigratorBehaviour {
  /** A Kysely instance you built (PostgresDialect or SqliteDialect). Never destroyed by close(). */
  db?: AnyKysely;
  /** Or a database URL: postgres://…, sqlite:PATH. */
  url?: string;
  /** The migrations folder (same as migrationsDir; default ./migrations). */
  migrationFolder?: string;
  /** Resolves relative paths; default process.cwd(). */
  cwd?: string;
}

/**
 * The embedding API, shaped like Kysely's `new Migrator({ db, provider })`:
 *
 * ```ts
 * const migrator = createMigrator({ db, migrationFolder: 'migrations' });
 * try {
 *   const plan = await migrator.plan();          // steps + SQL, nothing changed
 *   const { results } = await migrator.latest(); // [{ version, name, direction, status, ms }]
 * } finally {
 *   await migrator.close();
 * }
 * ```
 *
 * Nothing connects until the first operation. The database is `db`, else
 * `url`, else the config's databaseUrl, else sqlite:./data/dev.sqlite
 * (DATABASE_URL is the CLI's business, not read here).
 */
export function createMigrator(options: CreateMigratorOptions): KMigrator {
  const { db, url, migrationFolder, cwd, env, allowOutOfOrder, onEvent, appliedBy, ...config } = options;
  const resolved = resolveConfig(config, {
    cwd: cwd ?? process.cwd(),
    env: {},
    overrides: {
      ...(url !== undefined ? { url } : {}),
      ...(migrationFolder !== undefined ? { dir: migrationFolder } : {}),
    },
  });
  return migratorForConfig(resolved, { ...(db ? { db } : {}), env, allowOutOfOrder, onEvent, appliedBy });
}

/** The same, for a configuration already loaded (the CLI's loadConfig with its flags). */
export function migratorForConfig(
  config: ResolvedConfig,
  /** readOnly: only reads will follow (status): an SQLite file is neither created nor switched to WAL. */
  options: MigratorBehaviour & { db?: AnyKysely; readOnly?: boolean } = {},
): KMigrator {
  const { db, env, readOnly, ...extras } = options;
  const defined = Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined));
  return new KMigrator(config, {
    ...(db ? { db } : {}),
    ...(env ? { env } : {}),
    ...(readOnly ? { readOnly } : {}),
    extras: defined,
  });
}
