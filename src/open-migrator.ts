import type { ResolvedConfig } from './config/load-config.ts';
import { driverForKysely } from './dialects/adapter-for-kysely.ts';
import type { DialectName } from './dialects/dialect-name.ts';
import { openDatabase } from './dialects/open-database.ts';
import type { AnyKysely } from './engine/any-kysely.ts';
import type { DialectAdapter, LockOptions } from './engine/dialect-adapter.ts';
import { Migrator, type MigratorOptions } from './engine/migrator.ts';
import { signalGuard } from './engine/signal-guard.ts';
import type { MigrationSource, TrackingTable } from './engine/types.ts';
import { FileMigrationProvider } from './sources/file-migration-provider.ts';
import { assertIntegritySum } from './sources/integrity-sum.ts';

export type MigratorExtras = Pick<MigratorOptions, 'allowOutOfOrder' | 'dryRun' | 'onEvent' | 'appliedBy'>;

/** readOnly: only reads will follow (status), so an SQLite file is neither created nor switched to WAL. */
export interface DatabaseAccess {
  readonly readOnly?: boolean;
}

/** An open database with the driver that knows its dialect. */
export interface Connection {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter<DialectName>;
  /** Where it is, safe to print (no password). */
  readonly label: string;
  close(): Promise<void>;
}

/** The engine wired to a resolved configuration: the one place config, dialect and files meet. */
export interface OpenMigrator {
  readonly migrator: Migrator;
  readonly database: Connection;
  readonly provider: FileMigrationProvider;
  close(): Promise<void>;
}

/**
 * Opens the configured URL, or wraps the caller's Kysely instance (which is
 * never destroyed by close) with the same driver guarantees, lock included.
 */
export async function openConnection(
  config: ResolvedConfig,
  existing?: AnyKysely,
  access: DatabaseAccess = {},
): Promise<Connection> {
  if (existing) {
    const driver = await driverForKysely(existing);
    return {
      db: existing,
      adapter: driver.adapter,
      label: 'the given Kysely instance',
      close: async () => driver.close(),
    };
  }
  return openDatabase(config.database, {
    connectTimeoutMs: config.connectTimeoutMs,
    lockTimeoutMs: config.lockTimeoutMs,
    ...(access.readOnly ? { readOnly: true } : {}),
  });
}

/** The lock and statement timeouts, read from the config in this one place. */
export function lockOptionsOf(config: ResolvedConfig): LockOptions {
  return {
    lockTimeoutMs: config.lockTimeoutMs,
    statementLockTimeoutMs: config.statementLockTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
  };
}

export function trackingTableOf(config: Pick<ResolvedConfig, 'schema' | 'table'>): TrackingTable {
  return { schema: config.schema, name: config.table };
}

/** The engine over an open connection. */
export function engineFor(
  config: ResolvedConfig,
  connection: Pick<Connection, 'db' | 'adapter'>,
  sources: MigratorOptions['sources'],
  extras: MigratorExtras = {},
): Migrator {
  return new Migrator({
    db: connection.db,
    adapter: connection.adapter,
    sources,
    // Read when a run reaches the newest version (and by status): after the sum check of `sources`.
    repeatables: () =>
      new FileMigrationProvider({ migrationFolder: config.migrationsPath }).loadRepeatables(),
    table: trackingTableOf(config),
    ...lockOptionsOf(config),
    lockRetries: config.lockRetries,
    stepTimeoutMs: config.stepTimeoutMs,
    ...extras,
  });
}

/**
 * The migration files, after the folder was checked against its kmigrate.sum
 * (when it has one) — before any database is touched, and first, so a merge
 * that kept two branches' migrations is named as such, not as a duplicate version.
 */
export async function loadCheckedSources(
  config: ResolvedConfig,
  provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath }),
): Promise<readonly MigrationSource[]> {
  assertIntegritySum(config.migrationsPath, config.integritySum);
  return provider.loadSources();
}

/** Files, connection and engine in one step, for one-shot callers (codegen's scratch builds). */
export async function openMigrator(
  config: ResolvedConfig,
  extras: MigratorExtras = {},
  existing?: AnyKysely,
  access: { readOnly?: boolean } = {},
): Promise<OpenMigrator> {
  // From here until close(), SIGINT/SIGTERM stop the run cleanly (signal-guard.ts).
  const unwatch = signalGuard.watch();
  try {
    const provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath });
    // Files are validated before connecting: a bad name never costs a connection.
    const sources = await loadCheckedSources(config, provider);
    const database = await openConnection(config, existing, access);
    const migrator = engineFor(config, database, sources, extras);
    const close = () => database.close().finally(unwatch);
    return { migrator, database, provider, close };
  } catch (error) {
    unwatch();
    throw error;
  }
}
