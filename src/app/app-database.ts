import type { Kysely } from 'kysely';
import type { DB } from '../../generated/db.ts';
import type { DatabaseTarget } from '../config/database-url.ts';
import { openDatabase } from '../dialects/open-database.ts';
import { SqliteValuesPlugin } from './sqlite-values-plugin.ts';

export type AppDialect = 'sqlite' | 'postgres';

/** The app's typed database: Kysely<DB> from generated/db.ts, and which dialect answers. */
export interface AppDatabase {
  readonly db: Kysely<DB>;
  readonly dialect: AppDialect;
  /** The URL with its password replaced by ***. */
  readonly label: string;
  close(): Promise<void>;
}

export interface OpenAppDatabaseOptions {
  /** PostgreSQL pool size (default 10). */
  poolMax?: number;
  connectTimeoutMs?: number;
}

/**
 * Opens the database with the toolchain's own connection code (so a wrong
 * password or an unreachable host fails here, clearly) and types it with the
 * generated interfaces. On SQLite, booleans and dates are converted on the way in.
 */
export async function openAppDatabase(
  target: DatabaseTarget,
  options: OpenAppDatabaseOptions = {},
): Promise<AppDatabase> {
  const open = await openDatabase(target, {
    poolMax: options.poolMax ?? 10,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  const untyped = target.dialect === 'sqlite' ? open.db.withPlugin(new SqliteValuesPlugin()) : open.db;
  return {
    db: untyped as Kysely<DB>,
    dialect: target.dialect,
    label: open.label,
    close: () => open.close(),
  };
}
