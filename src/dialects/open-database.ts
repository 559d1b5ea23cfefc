import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { type DatabaseTarget, redactUrl } from '../config/database-url.ts';
import { importPeer } from '../config/import-peer.ts';
import type { AnyDatabase, AnyKysely } from '../engine/any-kysely.ts';
import type { DialectAdapter } from '../engine/dialect-adapter.ts';
import { ConnectionError } from '../engine/errors.ts';
import type { DialectName } from './dialect-name.ts';
import { loadPg } from './postgres/load-pg.ts';
import { detectTransactionPooler, stripPoolerParams } from './postgres/pooler-detection.ts';
import { PostgresAdapter } from './postgres/postgres-adapter.ts';
import { SqliteAdapter } from './sqlite/sqlite-adapter.ts';
import { assertNoOrphanWal, sqliteOpenProblem } from './sqlite/sqlite-file-problems.ts';
import { SqliteMigrationLock } from './sqlite/sqlite-migration-lock.ts';
import { statementLog } from './statement-log.ts';

/** An open database: a Kysely instance, the adapter that knows its dialect, and how to close both. */
export interface OpenDatabase {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter<DialectName>;
  readonly target: DatabaseTarget;
  /** The URL with its password replaced by ***, safe to print. */
  readonly label: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  connectTimeoutMs?: number;
  /** The command only reads: SQLite is neither created nor switched to WAL. */
  readOnly?: boolean;
  /** PostgreSQL pool size; the migrator needs one connection. */
  poolMax?: number;
  /**
   * SQLite: how long to wait for another connection's lock when a
   * rollback-journal file is switched to WAL (the run's --lock-timeout).
   */
  lockTimeoutMs?: number;
}

/** The WAL switch's wait when no lock timeout is given (many replicas opening a new file at once). */
const DEFAULT_WAL_SWITCH_TIMEOUT_MS = 5_000;

/**
 * Opens a connection for a parsed URL. PostgreSQL connects eagerly (no query)
 * so that a wrong password or an unreachable host is reported here, clearly,
 * and not as the first migration's failure.
 */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<OpenDatabase> {
  const label = redactUrl(target.url);
  if (target.dialect === 'sqlite') {
    let database: Database.Database;
    // Each driver is loaded only for its dialect: a cold start on SQLite never evaluates pg, and back.
    const { default: BetterSqlite3 } = await importPeer(
      'better-sqlite3',
      'SQLite',
      () => import('better-sqlite3'),
    );
    // A read-only command (status) never changes the database: no folder or file is created (a
    // missing file reads as an empty database) and the journal mode is left as it is.
    const readOnly = options.readOnly === true && target.filename !== ':memory:';
    const filename = readOnly && !fs.existsSync(target.filename) ? ':memory:' : target.filename;
    if (target.filename !== ':memory:') assertNoOrphanWal(target.filename);
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_WAL_SWITCH_TIMEOUT_MS;
    let opened: Database.Database | undefined;
    try {
      if (!readOnly && filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
      database = new BetterSqlite3(filename);
      opened = database;
      database.pragma('foreign_keys = on');
      // Reads the schema now (not logged, not a Kysely query): a file SQLite cannot use (a read-only
      // folder a WAL database needs its -shm in) is reported here, naming it, not by the first query.
      if (filename !== ':memory:') database.prepare('select count(*) from sqlite_master').get();
      if (!readOnly && filename !== ':memory:') await switchToWal(database, lockTimeoutMs);
    } catch (error) {
      // A handle that opened but cannot be used must not keep the file (and its folder) open.
      opened?.close();
      const problem = sqliteOpenProblem(target.filename, error, lockTimeoutMs);
      if (problem) throw problem;
      throw new ConnectionError(
        label,
        (error as Error).message,
        'check that the folder exists and is writable, or pass another --url',
      );
    }
    const db = new Kysely<AnyDatabase>({ dialect: new SqliteDialect({ database }), log: statementLog });
    // The real path: a Kysely instance opened through a symlink finds the same lock (adapter-for-kysely.ts).
    const lockFile = filename === ':memory:' ? '' : `${fs.realpathSync(filename)}.kmigrate-lock`;
    const adapter = new SqliteAdapter(
      // In-memory databases live in one process: nothing to lock against.
      filename === ':memory:'
        ? { database }
        : { database, lock: new SqliteMigrationLock(() => new BetterSqlite3(lockFile), lockFile) },
    );
    return {
      db,
      adapter,
      target,
      label,
      close: async () => {
        adapter.close();
        await db.destroy();
      },
    };
  }

  const poolerReason = detectTransactionPooler(target.url);
  const { default: pg } = await loadPg();
  const pool = new pg.Pool({
    connectionString: stripPoolerParams(target.url),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    max: options.poolMax ?? 2,
    application_name: 'kmigrate',
  });
  // NOTIFY messages by channel (LockReleaseSignal): a waiter in each of several migrators may listen.
  const notices = new EventEmitter().setMaxListeners(0);
  // An idle client's socket error must not crash the process.
  pool.on('error', () => undefined);
  // Nor a checked-out one's: when the server ends the session mid-step (restart,
  // pg_terminate_backend) the client emits 'error' besides rejecting the query; the rejection
  // is what the engine reports, the event alone would crash the process with a stack trace.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    // Lock waiters LISTEN on their own session; its NOTIFY messages reach them through here.
    client.on('notification', (message) => notices.emit(message.channel));
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresConnectionError(label, error, options.connectTimeoutMs ?? 10_000);
  }
  const db = new Kysely<AnyDatabase>({ dialect: new PostgresDialect({ pool }), log: statementLog });
  const adapter = new PostgresAdapter(
    poolerReason
      ? { transactionPoolerReason: poolerReason }
      : {
          notices,
        },
  );
  // Kysely ends the pool only if it ran a query (its driver initialises lazily); a command that
  // stops before its first query (a refused confirmation) would otherwise keep the process alive
  // for the pool's 10 s idle timeout.
  const close = async () => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, adapter, target, label, close };
}

/**
 * Many processes opening a brand-new file at once (a deploy's replicas): the
 * switch to WAL can fail with SQLITE_BUSY at once, without the busy timeout,
 * because SQLite does not wait when waiting could deadlock. Found by the
 * concurrency campaign (test/reliability); retried here for up to 5 s.
 */
async function switchToWal(database: Database.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      database.pragma('journal_mode = wal');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
}

function postgresConnectionError(label: string, error: unknown, timeoutMs: number): ConnectionError {
  const e = error as Error & { code?: string };
  const message = redactUrl(e.message ?? String(error));
  switch (e.code) {
    case '28P01':
    case '28000':
      return new ConnectionError(
        label,
        'password authentication failed',
        'check the user and password in the URL',
      );
    case '3D000':
      return new ConnectionError(label, message, 'create the database first, or fix its name in the URL');
    case 'ECONNREFUSED':
      return new ConnectionError(
        label,
        'connection refused',
        'is the server running and the host/port right?',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(label, 'host not found', 'check the host name in the URL');
    default:
      if (/timeout/i.test(message)) {
        return new ConnectionError(
          label,
          `no answer within ${timeoutMs} ms`,
          'check the host, port and firewall (Supabase direct connections need IPv6; use the session pooler on IPv4)',
        );
      }
      return new ConnectionError(label, message, 'check the URL and that the server accepts connections');
  }
}
