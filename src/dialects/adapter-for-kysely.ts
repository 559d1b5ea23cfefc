import { PostgresAdapter as KyselyPostgresAdapter, SqliteAdapter as KyselySqliteAdapter } from 'kysely';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { DialectAdapter } from '../engine/dialect-adapter.ts';
import { MigrationFileError } from '../engine/errors.ts';
import type { DialectName } from './dialect-name.ts';
import { PostgresAdapter } from './postgres/postgres-adapter.ts';
import { SqliteAdapter } from './sqlite/sqlite-adapter.ts';

/** Picks our adapter for a Kysely instance the caller built themselves. */
export function adapterForKysely(db: AnyKysely): DialectAdapter<DialectName> {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof KyselyPostgresAdapter) return new PostgresAdapter();
  if (adapter instanceof KyselySqliteAdapter) return new SqliteAdapter();
  throw new MigrationFileError(
    'Kysely instance',
    `uses ${adapter.constructor.name}, which is not supported`,
    'use a PostgresDialect or SqliteDialect',
  );
}

/** For migrations that must differ by dialect (e.g. CREATE INDEX CONCURRENTLY on PostgreSQL only). */
export function dialectOf(db: AnyKysely): 'postgres' | 'sqlite' {
  return adapterForKysely(db) instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
