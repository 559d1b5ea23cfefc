import type { TestProject } from 'vitest/node';
import { type PostgresServer, startPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgBackend: string;
  }
}

let server: PostgresServer | undefined;

/** Starts one PostgreSQL for the whole run; every test creates its own database in it. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startPostgresServer();
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgBackend', server.backend);
  console.log(`[kmigrate tests] PostgreSQL backend: ${server.backend}; SQLite: better-sqlite3 temp files`);
  // Ctrl-C or a CI kill: stop the server and remove its folder before exiting.
  const onSignal = (signal: NodeJS.Signals) => {
    void teardown().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return teardown;
}

async function teardown(): Promise<void> {
  const s = server;
  server = undefined;
  await s?.stop();
}
