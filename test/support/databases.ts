import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** A fresh, empty, real database owned by one test. */
export interface TestDatabase {
  dialect: Dialect;
  url: string;
  /** Runs SQL directly (not through the tool) so tests can check the catalog independently. */
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
  drop(): Promise<void>;
}

export function postgresBackend(): string {
  return inject('pgBackend');
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  return dialect === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();
}

/** A new temp file: SQLite tests never share state. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sqlite-'));
  const file = path.join(dir, 'test.sqlite');
  const { default: Database } = await import('better-sqlite3');
  return {
    dialect: 'sqlite',
    url: `sqlite:${file}`,
    async query<T>(text: string): Promise<T[]> {
      const db = new Database(file);
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all() as T[];
        stmt.run();
        return [];
      } finally {
        db.close();
      }
    },
    async drop() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CREATE DATABASE on the run's server: tests are isolated and can run in parallel. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  return createPostgresDatabaseOn(inject('pgAdminUrl'));
}

/** The same on another server (e.g. a campaign's own, which it crashes and restarts). */
export async function createPostgresDatabaseOn(adminUrl: string): Promise<TestDatabase> {
  const name = `kmt_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    url: url.toString(),
    async query<T>(text: string): Promise<T[]> {
      return withClient(url.toString(), async (c) => (await c.query(text)).rows as T[]);
    },
    async drop() {
      await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
