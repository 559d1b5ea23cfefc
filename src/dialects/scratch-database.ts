import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { ConfigError } from '../config/config-error.ts';
import { type DatabaseTarget, parseDatabaseUrl, redactUrl } from '../config/database-url.ts';
import { type Platform, platformHint, SUPABASE_ROLE_NAMES } from '../config/platform.ts';
import type { DialectAdapter } from '../engine/dialect-adapter.ts';
import { MigrateError, type MigrationFailedError } from '../engine/errors.ts';
import type { ScratchHandle } from '../engine/scratch-build.ts';
import type { DialectName } from './dialect-name.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { type OpenDatabase, openDatabase } from './open-database.ts';
import { isManagedSchema } from './postgres/managed-schemas.ts';
import { installSupabaseStandIn, SUPABASE_STAND_IN_VERSION } from './postgres/supabase-stand-in.ts';
import { quoteIdent } from './tracking-row.ts';

/**
 * The one scratch-database service of drift, verify and codegen.
 *
 * One environment variable: KMIGRATE_SCRATCH_DATABASE_URL names a PostgreSQL
 * database that may be reset; every scratch build then happens there.
 * KMIGRATE_CODEGEN_DATABASE_URL (codegen's older name) and TEST_DATABASE_URL
 * are read as aliases with the meaning they always had: a server on which a
 * fresh scratch database is created and dropped, never reset in place.
 */
export const SCRATCH_URL_ENV = 'KMIGRATE_SCRATCH_DATABASE_URL';

/** Older names, read after SCRATCH_URL_ENV, in this order: a server to create a scratch database on. */
export const SCRATCH_SERVER_ALIASES = ['KMIGRATE_CODEGEN_DATABASE_URL', 'TEST_DATABASE_URL'] as const;

/** Prefix of the PostgreSQL databases the service creates (and drops); a leftover after a kill -9 is safe to drop. */
export const SCRATCH_DATABASE_PREFIX = 'kmigrate_scratch_';

/** Where a scratch database came from (JSON output, logs). */
export type ScratchBackend =
  | 'sqlite-file'
  | typeof SCRATCH_URL_ENV
  | 'next-to-database'
  | (typeof SCRATCH_SERVER_ALIASES)[number]
  | 'embedded-postgres';

/** An empty database of one dialect that drift, verify and codegen may change freely. */
export interface ScratchDatabase extends ScratchHandle {
  readonly adapter: DialectAdapter<DialectName>;
  readonly backend: ScratchBackend;
}

export interface ScratchOptions {
  dialect: 'sqlite' | 'postgres';
  /**
   * The configured database. When it is PostgreSQL, a scratch database is
   * created on its server, with its credentials (drift, verify). Codegen
   * depends on the files alone and passes none.
   */
  live?: DatabaseTarget;
  env: NodeJS.ProcessEnv;
  /** Schemas emptied in a KMIGRATE_SCRATCH_DATABASE_URL database (`public` always). */
  resetSchemas: readonly string[];
  connectTimeoutMs?: number;
  /** With no PostgreSQL server to use, start embedded PostgreSQL 17 (verify --dialect postgres, codegen). */
  allowEmbedded?: boolean;
  /** Progress lines (e.g. how long embedded PostgreSQL took to start). */
  log?: (line: string) => void;
  /**
   * The platform the migrations are written for: a PostgreSQL scratch
   * database first gets its stand-in (roles, auth, storage, extensions, …).
   * Ignored for SQLite, which has nothing of it.
   */
  platform?: Platform;
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
 *    configured server or on an alias's server (dropped by close), else, when
 *    allowed, an embedded PostgreSQL 17.
 */
export async function openScratchDatabase(options: ScratchOptions): Promise<ScratchDatabase> {
  if (options.dialect === 'sqlite') return openSqliteScratch(options);
  const fromEnv = options.env[SCRATCH_URL_ENV];
  if (fromEnv) return openNamedScratch(fromEnv, options);
  if (options.live?.dialect === 'postgres')
    return createScratchOn(options.live.url, 'next-to-database', options);
  for (const alias of SCRATCH_SERVER_ALIASES) {
    const url = options.env[alias];
    if (url) return createScratchOn(parsePostgresUrl(url, alias).url, alias, options);
  }
  if (options.allowEmbedded) return openEmbeddedScratch(options);
  throw new ScratchDatabaseError(
    options.live ? redactUrl(options.live.url) : 'no server',
    'it is not a PostgreSQL server',
  );
}

/** Opens a scratch database, runs `fn`, always closes (and so removes) it. */
export async function withScratchDatabase<T>(
  options: ScratchOptions,
  fn: (scratch: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const scratch = await openScratchDatabase(options);
  try {
    return await fn(scratch);
  } finally {
    await scratch.close();
  }
}

/** Schemas and roles a Supabase database has and a plain PostgreSQL does not. */
const PLATFORM_OBJECT =
  /^(schema "(auth|storage|extensions|graphql|graphql_public|realtime|vault)"|relation "(auth|storage)\.[^"]+"|function (auth|storage|extensions)\.)/;
const PLATFORM_ROLE = new RegExp(`^role "(${SUPABASE_ROLE_NAMES.join('|')})" does not exist`);

/**
 * What to do when a migration fails on a scratch database because of a
 * prerequisite no migration creates (a schema, a role, a schema-qualified
 * table). A typo (`type "integr" does not exist`) keeps the default "fix the
 * migration".
 */
function adviser(platform: Platform | undefined): (error: MigrationFailedError) => string | undefined {
  return (error) => {
    const code = error.details.code;
    const m = error.databaseMessage;
    const prerequisite =
      code === '3F000' ||
      (code === '42704' && /^role "/.test(m)) ||
      (code === '42P01' && /^relation "[^"]+\.[^"]+"/.test(m)) ||
      (code === '42883' && /^function \w+\./.test(m));
    if (!prerequisite) return undefined;
    const platformObject = PLATFORM_OBJECT.test(m) || PLATFORM_ROLE.test(m);
    if (platformObject && !platform) {
      const what = m.replace(/ does not exist.*$/, '');
      return platformHint('it', [what]);
    }
    if (platformObject && platform === 'supabase') {
      return `the Supabase stand-in (v${SUPABASE_STAND_IN_VERSION}) does not provide it (docs/supabase-stand-in.md lists what it has); set ${SCRATCH_URL_ENV} to a database that has it (no real database was touched)`;
    }
    return `if it needs objects no migration creates, set ${SCRATCH_URL_ENV} to a database that has them (no real database was touched)`;
  };
}

/** Installs the platform's stand-in on a new connection (closed after: later connections see its search_path). */
async function preparePlatform(
  target: { url: string },
  label: string,
  options: ScratchOptions,
): Promise<void> {
  if (options.platform !== 'supabase') return;
  const open = await openDatabase(
    { dialect: 'postgres', url: target.url },
    { ...withTimeout(options), poolMax: 1 },
  );
  try {
    await installSupabaseStandIn(open.db, label);
  } finally {
    await open.close();
  }
}

/** The label, with the stand-in named when there is one. */
function withPlatform(label: string, options: ScratchOptions): string {
  return options.platform === 'supabase'
    ? `${label}, with the Supabase stand-in v${SUPABASE_STAND_IN_VERSION}`
    : label;
}

async function openSqliteScratch(options: ScratchOptions): Promise<ScratchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-scratch-'));
  const filename = path.join(dir, 'scratch.sqlite');
  const open = await openDatabase({ dialect: 'sqlite', url: `sqlite:${filename}`, filename });
  return {
    db: open.db,
    adapter: open.adapter,
    backend: 'sqlite-file',
    label: `a temporary SQLite file (${filename})`,
    advise: adviser(options.platform),
    async close() {
      await open.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function parsePostgresUrl(url: string, key: string): Extract<DatabaseTarget, { dialect: 'postgres' }> {
  const target = parseDatabaseUrl(url, key);
  if (target.dialect !== 'postgres') {
    throw new ConfigError(key, `${redactUrl(url)} is not a PostgreSQL URL`, 'postgres://…');
  }
  return target;
}

async function openNamedScratch(url: string, options: ScratchOptions): Promise<ScratchDatabase> {
  const target = parsePostgresUrl(url, SCRATCH_URL_ENV);
  if (options.live?.dialect === 'postgres' && sameDatabase(target.url, options.live.url)) {
    throw new ConfigError(
      SCRATCH_URL_ENV,
      'names the database being checked, which would be reset',
      'an empty database of its own',
    );
  }
  const reset = await openDatabase(target, { ...withTimeout(options), poolMax: 1 });
  try {
    // Only our schemas are reset: a scratch that holds e.g. Supabase's auth
    // schema keeps it, so migrations that reference auth.users still build.
    const schemas = [...new Set(['public', ...options.resetSchemas])].filter((s) => !isManagedSchema(s));
    const statements = [
      ...schemas.map((s) => `drop schema if exists ${quoteIdent(s)} cascade`),
      'create schema public',
    ];
    await sql.raw(statements.join(';\n')).execute(reset.db);
  } finally {
    await reset.close();
  }
  await preparePlatform(target, reset.label, options);
  const open = await openDatabase(target, withTimeout(options));
  return {
    db: open.db,
    adapter: open.adapter,
    backend: SCRATCH_URL_ENV,
    label: withPlatform(open.label, options),
    advise: adviser(options.platform),
    close: () => open.close(),
  };
}

async function createScratchOn(
  serverUrl: string,
  backend: ScratchBackend,
  options: ScratchOptions,
): Promise<ScratchDatabase> {
  const server = serverLabel(serverUrl);
  const admin = await openDatabase(
    { dialect: 'postgres', url: serverUrl },
    { ...withTimeout(options), poolMax: 1 },
  );
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
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const label = `scratch database ${name} on ${server}`;
  let scratch: OpenDatabase;
  try {
    await preparePlatform({ url: url.toString() }, label, options);
    scratch = await openDatabase({ dialect: 'postgres', url: url.toString() }, withTimeout(options));
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    db: scratch.db,
    adapter: scratch.adapter,
    backend,
    label: withPlatform(label, options),
    advise: adviser(options.platform),
    async close() {
      await scratch.close();
      await drop();
    },
  };
}

async function openEmbeddedScratch(options: ScratchOptions): Promise<ScratchDatabase> {
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  options.log?.(`Started a scratch PostgreSQL (embedded-postgres) in ${Date.now() - started} ms.`);
  try {
    // A fresh cluster's `postgres` database is empty: it is the scratch database.
    await preparePlatform(server, 'an embedded PostgreSQL 17', options);
    const open = await openDatabase({ dialect: 'postgres', url: server.url }, withTimeout(options));
    return {
      db: open.db,
      adapter: open.adapter,
      backend: 'embedded-postgres',
      label: withPlatform('an embedded PostgreSQL 17', options),
      advise: adviser(options.platform),
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
