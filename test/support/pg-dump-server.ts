/**
 * A PostgreSQL server that `pg_dump` on this machine can dump (pg_dump refuses
 * servers newer than itself). The run's harness server when pg_dump is new
 * enough; else a throw-away cluster started from the server binaries installed
 * next to the newest pg_dump (Debian's /usr/lib/postgresql/<major>/bin), so the
 * test still runs where only an older client is packaged (Debian 12: 15).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findPgDump } from '../../src/dialects/postgres/find-pg-dump.ts';

export interface DumpableServer {
  adminUrl: string;
  major: number;
  pgDump: string;
  origin: 'harness' | `system PostgreSQL ${number}`;
  stop(): Promise<void>;
}

export async function serverMajor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
    return Math.floor(Number(rows[0]!.v) / 10_000);
  } finally {
    await client.end();
  }
}

/** A string says why there is none (the caller skips, or fails under KMIGRATE_REQUIRE_PG_DUMP). */
export async function dumpableServer(harnessUrl: string): Promise<DumpableServer | string> {
  const major = await serverMajor(harnessUrl);
  const { usable, found } = findPgDump(major);
  if (usable)
    return {
      adminUrl: harnessUrl,
      major,
      pgDump: usable.file,
      origin: 'harness',
      stop: async () => undefined,
    };
  if (!found.length) return 'no pg_dump is installed (apt-get install postgresql-client)';
  for (const candidate of found) {
    const bindir = path.dirname(fs.realpathSync(candidate.file));
    const postgres = path.join(bindir, 'postgres');
    const initdb = path.join(bindir, 'initdb');
    if (fs.existsSync(postgres) && fs.existsSync(initdb)) {
      const server = await startCluster(bindir);
      return {
        ...server,
        major: candidate.major,
        pgDump: candidate.file,
        origin: `system PostgreSQL ${candidate.major}`,
      };
    }
  }
  return `pg_dump ${found.map((f) => f.version).join(', ')} cannot dump the PostgreSQL ${major} test server, and no server of its version is installed beside it (apt-get install postgresql)`;
}

async function startCluster(bindir: string): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sys-pg-'));
  fs.chmodSync(dir, 0o777);
  // initdb and postgres refuse to run as root: use the postgres user the server package created.
  const asUser =
    process.getuid?.() === 0
      ? (() => {
          const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
          const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
          return { uid, gid };
        })()
      : {};
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password, { mode: 0o644 });
  execFileSync(
    path.join(bindir, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ],
    { ...asUser, stdio: 'ignore' },
  );
  const port = await freePort();
  const child = spawn(
    path.join(bindir, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
    ],
    { ...asUser, stdio: 'ignore' },
  );
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await serverMajor(adminUrl);
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    adminUrl,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
