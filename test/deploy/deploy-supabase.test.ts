import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { installSupabaseStandIn } from '../../src/dialects/postgres/supabase-stand-in.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { tableExists, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';
import { optionalTool } from '../support/optional-tool.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/deploy-supabase.sh');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  cleanups.push(() => db.drop());
  return db;
}

function folder(files: Record<string, string>): string {
  const f = writeMigrationFolder(files);
  cleanups.push(f.cleanup);
  return f.dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script as CI would: bash, no terminal on stdin, a minimal environment. */
function deploy(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Tracking checksums of 001-004 as deployed databases hold them: never to change (decision 0003). */
const DEPLOYED_CHECKSUMS = [
  [1, 'ac761a4442a9956813e59b873f4deda8f1eaefc278c5263ab1b421b9cbcfd50d'],
  [2, '464ac81dfb96c79348e3fcefbedea2070ddb1b8b99ce348876b3bab32316d948'],
  [3, 'd2e1693a19c0f68c1eb1b1557862f00c4caa2bc0cc684d04f9259c9561f0c9b8'],
  [4, 'accad1666a5d7cd644882bd6eb20799de8d2d2f306f8ef4aef16cfdf91168794'],
];

const USERS = 'create table users (id bigint primary key, email text);\n';
const USERS_EMAIL_CONCURRENTLY =
  '-- migrate:no-transaction\ncreate index concurrently if not exists users_email_idx on users (email);\n';

describe('scripts/deploy-supabase.sh against a real PostgreSQL', () => {
  it('deploys: checks, plan, lint, latest, drift, final status', { timeout: 180_000 }, async () => {
    const db = await database();
    const dir = folder({ '001_users.up.sql': USERS, '002_users_email.up.sql': USERS_EMAIL_CONCURRENTLY });
    const run = await deploy(['--yes', '--', '--dir', dir], { DATABASE_URL: db.url });
    expect(run.stderr).not.toMatch(/deploy stopped/);
    expect(run.code).toBe(0);
    const steps = [...run.stdout.matchAll(/^== \[(\d)\/9\] (.*)$/gm)].map((m) => Number(m[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.stdout).toMatch(/TLS: off \(sslmode=-\); allowed for the local host 127\.0\.0\.1/);
    expect(run.stdout).toMatch(/Dry run on .*: 2 step\(s\), nothing will be changed/);
    expect(run.stdout).toMatch(/002_users_email\.up\.sql, outside a transaction/);
    expect(run.stdout).toMatch(/Linted 2 migrations .*: 0 errors/);
    expect(run.stdout).toMatch(/Applied 2 migrations/);
    expect(run.stdout).toMatch(/No drift/);
    expect(run.stdout).toMatch(/deploy finished\n$/);
    // The password never appears.
    const password = new URL(db.url).password;
    expect(run.stdout + run.stderr).not.toContain(password);

    expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(await db.query(`select indexname from pg_indexes where indexname = 'users_email_idx'`)).toEqual([
      { indexname: 'users_email_idx' },
    ]);

    // A second deploy has nothing to do and still checks drift.
    const again = await deploy(['--', '--dir', dir], { DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/== \[6\/9\] confirmation\nnothing to apply/);
    expect(again.stdout).toMatch(/No drift/);
  });

  it('deploys the repository migrations to a database prepared with the Supabase stand-in: 005 links auth.users, no drift', {
    timeout: 240_000,
  }, async () => {
    const db = await database();
    const open = await openDatabase({ dialect: 'postgres', url: db.url });
    await installSupabaseStandIn(open.db, 'test').finally(() => open.close());
    // Deployed databases already have 001-004 (their checksums are applied there); 005-006 are the deploy.
    // No --dir: the repository's own migrations and kysely.config.ts (platform: 'supabase').
    const before = await runCliInProcess(['--url', db.url, '--no-codegen', 'to', '4'], {
      cwd: ROOT,
      env: {},
    });
    expect(before.code).toBe(0);
    const checksumsAt4 = (await trackingRows(db)).map((r) => [r.version, r.checksum]);
    expect(checksumsAt4.map(([v]) => v)).toEqual([1, 2, 3, 4]);
    const run = await deploy(['--yes'], { DATABASE_URL: db.url });
    expect(run.stderr).not.toMatch(/deploy stopped/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Linted 2 migrations .*: 0 errors/);
    expect(run.stdout).toMatch(/Applied 2 migrations/);
    expect(run.stdout).toMatch(/No drift/);
    expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual(
      [1, 2, 3, 4, 5, 6].map((v) => [v, 'applied']),
    );
    // #10 item 18: the deploy leaves the applied rows of 001-004 as they were (no checksum rewritten),
    // and those checksums are the ones every deployed database holds (decision 0003).
    const after = (await trackingRows(db)).map((r) => [r.version, r.checksum]);
    expect(after.slice(0, 4)).toEqual(checksumsAt4);
    expect(after.slice(0, 4)).toEqual(DEPLOYED_CHECKSUMS);
    expect(
      await db.query(`select indexdef from pg_indexes where indexname = 'users_auth_user_id_key'`),
    ).toEqual([
      { indexdef: 'CREATE UNIQUE INDEX users_auth_user_id_key ON public.users USING btree (auth_user_id)' },
    ]);
    expect(
      await db.query(
        `select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'users_auth_user_id_fkey'`,
      ),
    ).toEqual([{ def: 'FOREIGN KEY (auth_user_id) REFERENCES auth.users(id) ON DELETE SET NULL' }]);
    // 004's policies for Supabase's authenticated role exist too.
    expect(await db.query(`select 1 from pg_policies where tablename = 'policies'`)).toHaveLength(4);
  });

  it('deploys the repository migrations to a fresh Supabase-shaped database: lint passes, 001-006 applied, no drift', {
    timeout: 240_000,
  }, async () => {
    const db = await database();
    const open = await openDatabase({ dialect: 'postgres', url: db.url });
    await installSupabaseStandIn(open.db, 'test').finally(() => open.close());
    const run = await deploy(['--yes'], { DATABASE_URL: db.url });
    expect(run.stderr).not.toMatch(/deploy stopped/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Linted 6 migrations .*: 0 errors/);
    expect(run.stdout).toMatch(/Applied 6 migrations/);
    expect(run.stdout).toMatch(/No drift/);
    expect(run.stdout).toMatch(/deploy finished\n$/);
    const rows = await trackingRows(db);
    expect(rows.map((r) => [r.version, r.state])).toEqual([1, 2, 3, 4, 5, 6].map((v) => [v, 'applied']));
    // A fresh database records the same checksums for 001-004 as the databases deployed before.
    expect(rows.slice(0, 4).map((r) => [r.version, r.checksum])).toEqual(DEPLOYED_CHECKSUMS);
    expect(
      (
        await db.query<{ indexname: string }>(
          `select indexname from pg_indexes where schemaname = 'public' and indexname like '%_idx' or indexname = 'users_auth_user_id_key' order by 1`,
        )
      ).map((r) => r.indexname),
    ).toEqual([
      'ai_cost_logs_project_id_created_at_idx',
      'project_api_keys_project_id_idx',
      'projects_owner_id_idx',
      'users_auth_user_id_key',
    ]);
    expect(await db.query(`select 1 from pg_index where not indisvalid`)).toEqual([]);
  });

  it('a failing migration: non-zero, the error printed, nothing half-applied', {
    timeout: 180_000,
  }, async () => {
    const db = await database();
    const dir = folder({
      '001_users.up.sql': USERS,
      '002_broken.up.sql':
        'create table half_done (id bigint primary key);\ninsert into no_such_table (id) values (1);\n',
    });
    const run = await deploy(['--yes', '--', '--dir', dir], { DATABASE_URL: db.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /002_broken\.up\.sql:2:\d+: migration 2 up failed.*relation "no_such_table" does not exist; it was rolled back/,
    );
    expect(run.stderr).toMatch(/deploy stopped: migrate latest failed \(exit 1\)/);
    expect(run.stdout).not.toMatch(/== \[8\/9\]/);
    expect((await trackingRows(db)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(db, 'users')).toBe(true);
    expect(await tableExists(db, 'half_done')).toBe(false);
  });

  it('refuses a transaction pooler when a pending migration runs outside a transaction', {
    timeout: 180_000,
  }, async () => {
    const db = await database();
    const dir = folder({ '001_users.up.sql': USERS, '002_users_email.up.sql': USERS_EMAIL_CONCURRENTLY });
    const url = new URL(db.url);
    url.searchParams.set('pgbouncer', 'true');
    const run = await deploy(['--yes', '--', '--dir', dir], { DATABASE_URL: url.toString() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /migration 2 must run outside a transaction, which is unsafe here: the URL says it goes through a transaction-mode pooler \(pgbouncer=true\)/,
    );
    expect(run.stderr).toMatch(/deploy stopped: the plan was refused \(exit 2\)/);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
    expect(await tableExists(db, 'users')).toBe(false);
  });

  it('stops before applying when lint finds an error, and without a terminal or --yes', {
    timeout: 180_000,
  }, async () => {
    const db = await database();
    await db.query('create table accounts (id bigint primary key, email text)');
    const dir = folder({
      '001_accounts_email.up.sql': 'create index accounts_email_idx on accounts (email);\n',
    });
    const linted = await deploy(['--yes', '--', '--dir', dir], { DATABASE_URL: db.url });
    expect(linted.code).toBe(3);
    expect(linted.stdout).toMatch(/001_accounts_email\.up\.sql:1 require-concurrent-index-creation: error/);
    expect(linted.stderr).toMatch(/deploy stopped: lint found errors \(exit 3\)/);

    const safe = folder({ '001_notes.up.sql': 'create table notes (id bigint primary key);\n' });
    const unconfirmed = await deploy(['--', '--dir', safe], { DATABASE_URL: db.url });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/deploy stopped: no terminal to confirm on; pass --yes/);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
    expect(await tableExists(db, 'notes')).toBe(false);
  });

  it('refuses a missing DATABASE_URL and plain TCP to a remote host, before connecting', async () => {
    const missing = await deploy(['--yes'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/deploy stopped: DATABASE_URL is not set/);

    const remote = await deploy(['--yes'], {
      DATABASE_URL: 'postgres://postgres:s3cret-pw@db.abcdefghijklmnop.supabase.co:5432/postgres',
    });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(
      /deploy stopped: refusing a connection without TLS to db\.abcdefghijklmnop\.supabase\.co \(sslmode=-\)/,
    );
    expect(remote.stdout + remote.stderr).not.toContain('s3cret-pw');
    expect(remote.stdout).not.toMatch(/== \[3\/9\]/);
  });
});

const shellcheck = optionalTool('shellcheck', {
  env: 'KMIGRATE_REQUIRE_SHELLCHECK',
  install: 'apt-get update && apt-get install -y shellcheck',
});

// Skipped only where shellcheck is not installed (the skip prints how to install it); CI sets
// KMIGRATE_REQUIRE_SHELLCHECK=1, which turns its absence into a failure instead.
describe.skipIf(!shellcheck.available)('scripts/deploy-supabase.sh is shellcheck-clean', () => {
  it('has no shellcheck findings, style included', async () => {
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn(shellcheck.path!, ['--severity=style', '--shell=bash', SCRIPT], { stdio: 'pipe' });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
    });
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);
  });
});
