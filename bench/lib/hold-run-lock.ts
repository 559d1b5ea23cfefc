import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { advisoryLockKey } from '../../src/dialects/lock-key.ts';
import { lockChannel, quoteChannel } from '../../src/dialects/postgres/lock-release-signal.ts';
import type { BenchDialect } from './workload.ts';

/**
 * Holds kmigrate's migration lock for `schema_migrations` from outside, the way
 * a kmigrate run holds it, so that B4 can let 16 starters boot and queue up
 * before any of them can work. `release()` frees it as a kmigrate run does
 * (PostgreSQL: unlock, then NOTIFY on the lock's channel; SQLite: the lock
 * file's transaction ends). `waiting()` counts the starters queued, where the
 * database can tell (PostgreSQL: sessions idle after a failed try of the lock).
 */
export interface HeldLock {
  waiting(): Promise<number | undefined>;
  release(): Promise<void>;
}

export async function holdRunLock(dialect: BenchDialect, url: string): Promise<HeldLock> {
  if (dialect === 'sqlite') {
    const file = url.replace(/^sqlite:/, '');
    const lockFile = path.join(fs.realpathSync(path.dirname(file)), `${path.basename(file)}.kmigrate-lock`);
    const holder = new Database(lockFile);
    holder.exec('begin immediate');
    return {
      waiting: async () => undefined,
      release: async () => {
        holder.exec('rollback');
        holder.close();
      },
    };
  }
  const key = advisoryLockKey('public', 'schema_migrations');
  const client = new pg.Client({ connectionString: url, application_name: 'bench-lock-holder' });
  // Dropping the database after the measurement terminates this session if it is still open.
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`select pg_advisory_lock(${key})`);
  return {
    // A waiter LISTENs on the session it tries the lock from, then tries again and sleeps: idle, its
    // last query the failed try (the catalog shows no other session's LISTEN).
    waiting: async () => {
      const { rows } = await client.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle'
           and query like 'select pg_try_advisory_lock(${key})%'`,
      );
      return rows[0].n as number;
    },
    release: async () => {
      await client.query(`select pg_advisory_unlock(${key}); notify ${quoteChannel(lockChannel(key))}`);
      await client.end();
    },
  };
}
