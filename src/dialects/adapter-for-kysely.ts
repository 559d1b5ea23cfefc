import fs from 'node:fs';
import { PostgresAdapter as KyselyPostgresAdapter, SqliteAdapter as KyselySqliteAdapter, sql } from 'kysely';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { DialectAdapter } from '../engine/dialect-adapter.ts';
import { MigrationFileError } from '../engine/errors.ts';
import type { DialectName } from './dialect-name.ts';
import { PostgresAdapter } from './postgres/postgres-adapter.ts';
import { SqliteAdapter } from './sqlite/sqlite-adapter.ts';
import { SqliteMigrationLock } from './sqlite/sqlite-migration-lock.ts';

/** A driver for a Kysely instance the caller built, and how to release what we opened for it. */
export interface KyselyDriver {
  readonly adapter: DialectAdapter<DialectName>;
  /** Releases the lock file's connection; never destroys the caller's Kysely instance. */
  close(): void;
}

/**
 * Picks our driver for a Kysely instance the caller built themselves, with
 * every guarantee a URL gets: on SQLite the same `<file>.kmigrate-lock`
 * sidecar lock (sqlite-migration-lock.ts) guards it against other processes —
 * an app passing its own Kysely instance and a `kmigrate` run at the same
 * time wait for each other instead of racing.
 */
export async function driverForKysely(db: AnyKysely): Promise<KyselyDriver> {
  if (dialectOf(db) === 'postgres') return { adapter: new PostgresAdapter(), close: () => undefined };
  const lock = lockForKysely(db);
  const adapter = new SqliteAdapter({ lock });
  return { adapter, close: () => adapter.close() };
}

/**
 * The lock file is found with `PRAGMA database_list` the first time the lock
 * is taken or probed (status), not before: a start-up with nothing to apply takes no lock and so
 * stays at one query. In-memory and temporary databases (no file) live in one
 * process: nothing to lock against.
 */
function lockForKysely(db: AnyKysely): SqliteMigrationLock {
  let lockFile: string | undefined;
  let BetterSqlite3: typeof import('better-sqlite3') | undefined;
  let found: Promise<boolean> | undefined;
  const find = async (): Promise<boolean> => {
    const { rows } = await sql<{ name: string; file: string | null }>`pragma database_list`.execute(db);
    const file = rows.find((r) => r.name === 'main')?.file;
    if (!file) return false;
    BetterSqlite3 = (await import('better-sqlite3')).default;
    // The real path, as open-database.ts uses: a symlinked path still finds the same lock.
    lockFile = `${fs.realpathSync(file)}.kmigrate-lock`;
    return true;
  };
  return new (class extends SqliteMigrationLock {
    override ready(): Promise<boolean> {
      found ??= find();
      return found;
    }
    override async with<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
      return (await this.ready()) ? super.with(timeoutMs, fn) : fn();
    }
  })(
    () => new BetterSqlite3!(lockFile!),
    () => lockFile,
  );
}

/** For migrations that must differ by dialect (e.g. CREATE INDEX CONCURRENTLY on PostgreSQL only). */
export function dialectOf(db: AnyKysely): 'postgres' | 'sqlite' {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof KyselyPostgresAdapter) return 'postgres';
  if (adapter instanceof KyselySqliteAdapter) return 'sqlite';
  throw new MigrationFileError(
    'Kysely instance',
    `uses ${adapter.constructor.name}, which is not supported`,
    'use a PostgresDialect or SqliteDialect',
  );
}
