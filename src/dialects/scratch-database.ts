import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { ConfigError } from '../config/config-error.ts';
import { type DatabaseTarget, parseDatabaseUrl, redactUrl } from '../config/database-url.ts';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { DialectAdapter } from '../engine/dialect-adapter.ts';
import { MigrateError } from '../engine/errors.ts';
import { isManagedSchema } from '../engine/schema-snapshot.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { openDatabase } from './open-database.ts';
import { quoteIdent } from './tracking-row.ts';

/** Names a database drift/verify may reset, instead of creating one next to the configured database. */
export const SCRATCH_URL_ENV = 'KMIGRATE_SCRATCH_DATABASE_URL';

/** Prefix of the PostgreSQL databases drift/verify create (and drop); a leftover after a kill -9 is safe to drop. */
export const SCRATCH_DATABASE_PREFIX = 'kmigrate_scratch_';

/** An empty database of one dialect that drift and verify may change freely. */
export interface ScratchDatabase {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  /** Where it is, safe to print. */
  readonly label: string;
  /** Closes it and removes what was created for it (file, database, embedded server). */
  close(): Promise<void>;
}

export interface ScratchOptions {
  dialect: 'sqlite' | 'postgres';
  /** The configured database. A PostgreSQL scratch is created on its server, with its credentials. */
  live: DatabaseTarget;
  env: NodeJS.ProcessEnv;
  /** Schemas emptied in a KMIGRATE_SCRATCH_DATABASE_URL database (`public` always). */
  resetSchemas: readonly string[];
  connectTimeoutMs?: number;
  /** With no PostgreSQL server to use, start embedded PostgreSQL 17 (verify --dialect postgres). */
  allowEmbedded?: boolean;
}

/** No scratch database could be made; nothing was changed. */
export class ScratchDatabaseError extends MigrateError {
  override readonly name = 'ScratchDatabaseError';
  readonly exitCode = 1;
  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(
      `cannot create a scratch database on ${server}: ${reason}; grant CREATEDB to this user, or set ${SCRATCH_URL_ENV} to an empty PostgreSQL database that may be reset`,
    );
  }
}

/**
 * Opens an empty database to build migrations on:
 *  - SQLite: a new temp file.
 *  - PostgreSQL: the database named by KMIGRATE_SCRATCH_DATABASE_URL (its
 *    schemas reset), else `CREATE DATABASE kmigrate_scratch_<random>` on the
 *    configured server (dropped by close), else, when allowed, an embedded
 *    PostgreSQL 17.
 */
export async function openScratchDatabase(options: ScratchOptions): Promise<ScratchDatabase> {
  if (options.dialect === 'sqlite') return openSqliteScratch();
  const fromEnv = options.env[SCRATCH_URL_ENV];
  if (fromEnv) return openNamedScratch(fromEnv, options);
  if (options.live.dialect === 'postgres') return createScratchNextTo(options.live, options);
  if (options.allowEmbedded) return openEmbeddedScratch(options);
  throw new ScratchDatabaseError(redactUrl(options.live.url), 'it is not a PostgreSQL server');
}

async function openSqliteScratch(): Promise<ScratchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-scratch-'));
  const filename = path.join(dir, 'scratch.sqlite');
  const open = await openDatabase({ dialect: 'sqlite', url: `sqlite:${filename}`, filename });
  return {
    db: open.db,
    adapter: open.adapter,
    label: `a temporary SQLite file (${filename})`,
    async close() {
      await open.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openNamedScratch(url: string, options: ScratchOptions): Promise<ScratchDatabase> {
  const target = parseDatabaseUrl(url, SCRATCH_URL_ENV);
  if (target.dialect !== 'postgres') {
    throw new ConfigError(SCRATCH_URL_ENV, `${redactUrl(url)} is not a PostgreSQL URL`, 'postgres://…');
  }
  if (options.live.dialect === 'postgres' && sameDatabase(target.url, options.live.url)) {
    throw new ConfigError(
      SCRATCH_URL_ENV,
      'names the database being checked, which would be reset',
      'an empty database of its own',
    );
  }
  const open = await openDatabase(target, withTimeout(options));
  try {
    // Only our schemas are reset: a scratch that holds e.g. Supabase's auth
    // schema keeps it, so migrations that reference auth.users still build.
    const schemas = [...new Set(['public', ...options.resetSchemas])].filter((s) => !isManagedSchema(s));
    const statements = [
      ...schemas.map((s) => `drop schema if exists ${quoteIdent(s)} cascade`),
      'create schema public',
    ];
    await sql.raw(statements.join(';\n')).execute(open.db);
  } catch (error) {
    await open.close();
    throw error;
  }
  return { db: open.db, adapter: open.adapter, label: open.label, close: () => open.close() };
}

async function createScratchNextTo(
  live: Extract<DatabaseTarget, { dialect: 'postgres' }>,
  options: ScratchOptions,
): Promise<ScratchDatabase> {
  const server = serverLabel(live.url);
  const admin = await openDatabase(live, { ...withTimeout(options), poolMax: 1 });
  const name = `${SCRATCH_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  try {
    await sql.raw(`create database ${name}`).execute(admin.db);
  } catch (error) {
    await admin.close();
    const e = error as { code?: string; message?: string };
    throw new ScratchDatabaseError(
      server,
      e.code === '42501' ? 'permission denied to create database' : redactUrl(e.message ?? String(error)),
    );
  }
  const drop = async () => {
    await sql
      .raw(`drop database if exists ${name} with (force)`)
      .execute(admin.db)
      .catch(() => undefined);
    await admin.close();
  };
  const url = new URL(live.url);
  url.pathname = `/${name}`;
  let scratch: Awaited<ReturnType<typeof openDatabase>>;
  try {
    scratch = await openDatabase({ dialect: 'postgres', url: url.toString() }, withTimeout(options));
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    db: scratch.db,
    adapter: scratch.adapter,
    label: `scratch database ${name} on ${server}`,
    async close() {
      await scratch.close();
      await drop();
    },
  };
}

async function openEmbeddedScratch(options: ScratchOptions): Promise<ScratchDatabase> {
  const server = await startEmbeddedPostgres();
  try {
    const open = await openDatabase({ dialect: 'postgres', url: server.url }, withTimeout(options));
    return {
      db: open.db,
      adapter: open.adapter,
      label: 'an embedded PostgreSQL 17',
      async close() {
        await open.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function withTimeout(options: ScratchOptions): { connectTimeoutMs?: number } {
  return options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {};
}

/** `host:port`, for messages: the database name and credentials are not the point. */
function serverLabel(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}`;
}

function sameDatabase(a: string, b: string): boolean {
  const ua = new URL(a);
  const ub = new URL(b);
  return (
    ua.hostname === ub.hostname &&
    (ua.port || '5432') === (ub.port || '5432') &&
    decodeURIComponent(ua.pathname) === decodeURIComponent(ub.pathname)
  );
}
