import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { createTempProject, type TempProject } from '../reliability/support/temp-project.ts';
import { type CliResult, runCliProcess } from '../reliability/support/ts-process.ts';
import { optionalTool } from '../support/optional-tool.ts';
import { makeCertificates, startTlsPostgres, type TlsFiles, type TlsPostgres } from './tls-postgres.ts';

const openssl = optionalTool('openssl', {
  env: 'KMIGRATE_REQUIRE_OPENSSL',
  install: 'apt-get update && apt-get install -y openssl',
});

// Skipped only where openssl is not installed; CI sets KMIGRATE_REQUIRE_OPENSSL=1 (a failure then).
describe.skipIf(!openssl.available)(
  'TLS: sslmode and sslrootcert in the URL, against PostgreSQL with ssl=on',
  () => {
    let tls: TlsFiles;
    let server: TlsPostgres;
    let project: TempProject;

    beforeAll(async () => {
      tls = makeCertificates(openssl.path!);
      server = await startTlsPostgres(tls);
      project = createTempProject({
        '001_create_secure.up.sql': 'create table secure_things (id integer primary key);\n',
        '001_create_secure.down.sql': 'drop table secure_things;\n',
      });
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
      project?.cleanup();
      if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
    });

    const cli = (url: string, ...args: string[]): Promise<CliResult> =>
      runCliProcess(['--url', url, '--dir', project.dir, ...args, '--no-codegen'], { cwd: project.root });

    /** Whether the session that `url` opens is encrypted, asked of the server itself. */
    async function sessionUsesTls(url: string): Promise<boolean> {
      const open = await openDatabase(resolveConfig({}, { env: {}, overrides: { url } }).database);
      try {
        const { rows } = await sql<{
          ssl: boolean;
        }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(open.db);
        return rows[0]!.ssl;
      } finally {
        await open.close();
      }
    }

    function expectOneErrorLine(run: CliResult, pattern: RegExp): void {
      const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines, run.stderr).toHaveLength(1);
      if (process.env.KMIGRATE_SHOW_MESSAGES) console.log(`[tls] ${lines[0]}`);
      expect(lines[0]).toMatch(/^error: cannot connect to postgres:\/\/postgres:\*\*\*@/);
      expect(lines[0]).toMatch(pattern);
      expect(`${run.stdout}${run.stderr}`).not.toContain(server.password);
    }

    it('sslmode=verify-full&sslrootcert=<ca.pem> connects over TLS and migrates', async () => {
      const url = server.url('localhost', `sslmode=verify-full&sslrootcert=${tls.caPem}`);
      const up = await cli(url, 'latest');
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(/applied\s+1_create_secure/);
      expect(await sessionUsesTls(url)).toBe(true);
      const status = await cli(url, 'status', '--json');
      expect(status.code).toBe(0);
      // Roll back so the next test starts from an empty database.
      const down = await cli(url, 'down', '--yes');
      expect(down.code).toBe(0);
    }, 60_000);

    it('verify-full with a CA that did not sign the server certificate fails: exit 1, one clear line', async () => {
      const run = await cli(
        server.url('localhost', `sslmode=verify-full&sslrootcert=${tls.wrongCaPem}`),
        'latest',
      );
      expect(run.code).toBe(1);
      // The server sends only its leaf certificate, which chains to nothing the wrong CA vouches for.
      expectOneErrorLine(run, /unable to verify the first certificate/);
    }, 60_000);

    it('verify-full checks the host name: 127.0.0.1 is not in the certificate (only localhost is)', async () => {
      const run = await cli(
        server.url('127.0.0.1', `sslmode=verify-full&sslrootcert=${tls.caPem}`),
        'latest',
      );
      expect(run.code).toBe(1);
      expectOneErrorLine(run, /Hostname\/IP does not match certificate's altnames/);
    }, 60_000);

    it('node-postgres treats sslmode=require as verify-full: without a CA a self-signed server is refused', async () => {
      const run = await cli(server.url('localhost', 'sslmode=require'), 'latest');
      expect(run.code).toBe(1);
      // The server sends only its own certificate, which chains to no trusted CA.
      expect(run.stderr).toMatch(
        /^error: cannot connect to .*sslmode=require: unable to verify the first certificate/m,
      );
      // pg-connection-string also prints a 9-line "SECURITY WARNING" (process.emitWarning) before
      // the error line for require/prefer/verify-ca; see docs/reliability.md.
      expect(run.stderr).not.toContain(server.password);
    }, 60_000);

    it('uselibpqcompat=true&sslmode=require gives libpq semantics: encrypted, not verified', async () => {
      const url = server.url('127.0.0.1', 'uselibpqcompat=true&sslmode=require');
      const run = await cli(url, 'status');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(await sessionUsesTls(url)).toBe(true);
    }, 60_000);

    it('sslmode=disable connects in clear text (the server also accepts it)', async () => {
      const url = server.url('localhost', 'sslmode=disable');
      const run = await cli(url, 'status');
      expect(run.code).toBe(0);
      expect(await sessionUsesTls(url)).toBe(false);
    }, 60_000);
  },
);
