import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type AppDatabase, openAppDatabase } from '../../src/app/app-database.ts';
import { buildApp } from '../../src/app/build-app.ts';
import { type CreatedProject, createProjectWithKey } from '../../src/app/create-project.ts';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { migrateToLatest } from '../../src/index.ts';
import { MIGRATE_OPTIONS } from '../migrations/catalog-snapshot.ts';
import type { TestDatabase } from '../support/databases.ts';

/** A settable clock: both dialects see the same timestamps, so their answers can be compared byte for byte. */
export class TestClock {
  #now: Date;
  constructor(start: string) {
    this.#now = new Date(start);
  }
  now = (): Date => new Date(this.#now);
  set(iso: string): void {
    this.#now = new Date(iso);
  }
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
}

export interface TestApp {
  app: FastifyInstance;
  database: AppDatabase;
  clock: TestClock;
  /** A request with a key (or none); the body is sent as JSON. */
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; raw: LightMyRequestResponse }>;
  seedProject(ownerEmail: string, projectName: string): Promise<CreatedProject>;
  close(): Promise<void>;
}

/** The real migrations, the real app, in-process (app.inject), on the test's own database. */
export async function startTestApp(
  db: TestDatabase,
  clockStart = '2025-03-15T12:00:00.000Z',
): Promise<TestApp> {
  await migrateToLatest(db.url, MIGRATE_OPTIONS);
  const database = await openAppDatabase(parseDatabaseUrl(db.url), { poolMax: 4 });
  const clock = new TestClock(clockStart);
  const app = buildApp({ database, now: clock.now, migrations: MIGRATE_OPTIONS });
  await app.ready();
  return {
    app,
    database,
    clock,
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      const raw = await app.inject({
        method,
        url,
        headers,
        ...(options.body !== undefined
          ? { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
          : {}),
        ...(options.body !== undefined
          ? { headers: { 'content-type': 'application/json', ...headers } }
          : {}),
      });
      return { status: raw.statusCode, body: raw.body === '' ? undefined : raw.json(), raw };
    },
    seedProject: (ownerEmail, projectName) => createProjectWithKey(database.db, { ownerEmail, projectName }),
    async close() {
      await app.close();
      await database.close();
    },
  };
}
