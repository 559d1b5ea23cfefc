/**
 * Kysely instances the way an app builds them: the bench keeps one open per
 * database and measures only the migrate call made on it.
 */
import Database from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { AnyDatabase, AnyKysely } from '../../src/engine/any-kysely.ts';
import type { BenchDialect } from './workload.ts';

export interface OpenKysely {
  db: AnyKysely;
  close(): Promise<void>;
}

/** `onQuery` sees every statement sent (and every one that failed): the round-trip counter. */
export function openKysely(dialect: BenchDialect, url: string, onQuery?: (e: LogEvent) => void): OpenKysely {
  const log = onQuery ? (e: LogEvent) => onQuery(e) : undefined;
  if (dialect === 'sqlite') {
    const database = new Database(url.replace(/^sqlite:/, ''));
    // Same settings openDatabase() uses for a sqlite: URL.
    database.pragma('foreign_keys = on');
    database.pragma('journal_mode = wal');
    const db = new Kysely<AnyDatabase>({ dialect: new SqliteDialect({ database }), ...(log ? { log } : {}) });
    return { db, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const db = new Kysely<AnyDatabase>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
  return { db, close: () => db.destroy() };
}
