import type { ResolvedConfig } from './config/load-config.ts';
import { adapterForKysely } from './dialects/adapter-for-kysely.ts';
import { type OpenDatabase, openDatabase } from './dialects/open-database.ts';
import type { AnyKysely } from './engine/any-kysely.ts';
import { Migrator, type MigratorOptions } from './engine/migrator.ts';
import { FileMigrationProvider } from './sources/file-migration-provider.ts';
import { assertIntegritySum } from './sources/integrity-sum.ts';

export type MigratorExtras = Pick<MigratorOptions, 'allowOutOfOrder' | 'dryRun' | 'onEvent'>;

/** The engine wired to a resolved configuration: the one place config, dialect and files meet. */
export interface OpenMigrator {
  readonly migrator: Migrator;
  readonly database: Pick<OpenDatabase, 'db' | 'adapter' | 'label'>;
  readonly provider: FileMigrationProvider;
  close(): Promise<void>;
}

export async function openMigrator(
  config: ResolvedConfig,
  extras: MigratorExtras = {},
  existing?: AnyKysely,
  access: { readOnly?: boolean } = {},
): Promise<OpenMigrator> {
  const provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath });
  // Files are validated before connecting: a bad name never costs a connection.
  // The folder must match its kmigrate.sum (when it has one) before any database is touched; first,
  // so a merge that kept two branches' migrations is named as such, not as a duplicate version.
  assertIntegritySum(config.migrationsPath, config.integritySum);
  const sources = await provider.loadSources();
  const database = existing
    ? {
        db: existing,
        adapter: adapterForKysely(existing),
        label: 'the given Kysely instance',
        close: async () => undefined,
      }
    : await openDatabase(config.database, {
        connectTimeoutMs: config.connectTimeoutMs,
        ...(access.readOnly ? { readOnly: true } : {}),
      });
  const migrator = new Migrator({
    db: database.db,
    adapter: database.adapter,
    sources,
    table: { schema: config.schema, name: config.table },
    lockTimeoutMs: config.lockTimeoutMs,
    statementLockTimeoutMs: config.statementLockTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
    lockRetries: config.lockRetries,
    stepTimeoutMs: config.stepTimeoutMs,
    ...extras,
  });
  return { migrator, database, provider, close: () => database.close() };
}
