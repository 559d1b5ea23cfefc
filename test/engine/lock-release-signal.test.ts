/**
 * Lock waiters on PostgreSQL sleep on LISTEN in the session they try the lock
 * from (LockReleaseSignal), and wake on the holder's NOTIFY — not on a second
 * connection, and not by the fallback timer. SQLite has no LISTEN: its
 * waiters poll the lock file (sqlite-migration-lock.ts, tested with the
 * concurrency tests on both dialects).
 */
import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { advisoryLockKey } from '../../src/dialects/lock-key.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import {
  LockReleaseSignal,
  lockChannel,
  quoteChannel,
} from '../../src/dialects/postgres/lock-release-signal.ts';
import type { AnyDatabase } from '../../src/engine/any-kysely.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';

let database: TestDatabase;
beforeEach(async () => {
  database = await createPostgresDatabase();
});
afterEach(async () => {
  await database.drop();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  return c;
}

const listening = async (conn: Kysely<AnyDatabase>) =>
  (await sql<{ c: string }>`select pg_listening_channels() as c`.execute(conn)).rows.map((r) => r.c);

it('wakes on a NOTIFY to its session (the fallback is ten minutes), and UNLISTENs on close', async () => {
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const notices = new EventEmitter();
  pool.on('connect', (c) => c.on('notification', (m) => notices.emit(m.channel)));
  const db = new Kysely<AnyDatabase>({ dialect: new PostgresDialect({ pool }) });
  const other = await client();
  try {
    await db.connection().execute(async (conn) => {
      const signal = new LockReleaseSignal(conn, notices, 'kmigrate_lock_test');
      expect(await signal.listen()).toBe(true);
      expect(await listening(conn)).toEqual(['kmigrate_lock_test']);
      const woken = signal.next(600_000);
      await other.query('notify "kmigrate_lock_test"');
      await woken; // Only the NOTIFY can end this within the test's timeout.
      await signal.close();
      expect(await listening(conn)).toEqual([]);
    });
  } finally {
    await other.end();
    await db.destroy();
  }
});

it('a waiter holds one connection, LISTENs on it, and runs with it UNLISTENed once the holder lets go', async () => {
  const open = await openDatabase(parseDatabaseUrl(database.url));
  const holder = await client();
  const key = advisoryLockKey('public', 'schema_migrations');
  try {
    await holder.query(`select pg_advisory_lock(${key})`);
    const table = { schema: 'public', name: 'schema_migrations' };
    const options = { lockTimeoutMs: 60_000, statementLockTimeoutMs: 2_000, statementTimeoutMs: 0 };
    const ran = open.adapter.withSessionLock(open.db, table, options, async (conn) => listening(conn));
    // Queued: idle after a failed try of the lock.
    const queued = `select count(*)::int as n from pg_stat_activity where datname = current_database()
      and state = 'idle' and query like 'select pg_try_advisory_lock(${key})%'`;
    for (let i = 0; i < 200 && (await holder.query(queued)).rows[0].n < 1; i++)
      await new Promise((r) => setTimeout(r, 25));
    const sessions = await holder.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    expect(sessions.rows[0].n).toBe(1); // no second connection for LISTEN
    await holder.query(`select pg_advisory_unlock(${key}); notify ${quoteChannel(lockChannel(key))}`);
    expect(await ran).toEqual([]);
  } finally {
    await holder.end();
    await open.close();
  }
});
