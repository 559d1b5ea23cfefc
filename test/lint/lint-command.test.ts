import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/lint/lint-migrations.ts';
import { runCliInProcess } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { tableExists, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function folder(files: Record<string, string>) {
  const f = writeMigrationFolder(files);
  cleanups.push(f.cleanup);
  return { dir: f.dir, cwd: path.dirname(f.dir) };
}

async function database(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  cleanups.push(() => db.drop());
  return db;
}

/** `migrate lint --json` in the folder's parent directory; returns the exit code and the parsed report. */
async function lint(dir: string, args: string[], options: { url?: string; env?: NodeJS.ProcessEnv } = {}) {
  const run = await runCliInProcess(
    ['--dir', dir, ...(options.url ? ['--url', options.url] : []), '--json', 'lint', ...args],
    { cwd: path.dirname(dir), ...(options.env ? { env: options.env } : {}) },
  );
  const report = run.stdout.trim() ? (JSON.parse(run.stdout) as LintReport & { scope: string }) : undefined;
  return { ...run, report };
}

function rulesAt(report: LintReport | undefined): string[] {
  return (report?.findings ?? []).map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`);
}

describe('migrate lint: CREATE INDEX without CONCURRENTLY', () => {
  it('flags an index on an existing table, not on a table created earlier in the same set', async () => {
    const { dir } = folder({
      '001_users.up.sql': 'create table users (id bigint primary key, email text);\n',
      '002_indexes.up.sql': [
        '-- users is created by 001, in this same set: still empty when this runs',
        'create index users_email_idx on users (email);',
        '',
        '-- accounts exists already (created by hand / by the Supabase dashboard)',
        'create index accounts_email_idx on accounts (email);',
        '',
      ].join('\n'),
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/002_indexes.up.sql:5 require-concurrent-index-creation error',
    ]);
    expect(report!.errors).toBe(1);
    expect(report!.linted.map((l) => [l.version, l.transactional])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('sees TypeScript modules as the PostgreSQL SQL they compile to, with the module line', async () => {
    const { dir } = folder({
      '001_orders.ts': [
        "import type { Kysely } from 'kysely';",
        '',
        'export async function up(db: Kysely<unknown>): Promise<void> {',
        "  await db.schema.createTable('orders').addColumn('id', 'bigint', (c) => c.primaryKey()).execute();",
        "  await db.schema.createIndex('orders_id_idx').on('orders').column('id').execute();",
        "  await db.schema.createIndex('profiles_user_idx').on('profiles').column('user_id').execute();",
        '}',
        '',
      ].join('\n'),
    });
    const { code, report, stderr } = await lint(dir, ['--all']);
    expect(stderr).toBe('');
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual(['migrations/001_orders.ts:6 require-concurrent-index-creation error']);
  });

  it('compiles with PostgreSQL even when the configured database is SQLite, so dialectOf branches take the PostgreSQL path', async () => {
    const index = path.join(ROOT, 'src/index.ts');
    const { dir } = folder({
      '001_concurrent.ts': [
        "import type { Kysely } from 'kysely';",
        `import { dialectOf } from '${index}';`,
        '',
        'export const transaction = false;',
        'export async function up(db: Kysely<unknown>): Promise<void> {',
        "  if (dialectOf(db) === 'postgres') {",
        "    await db.schema.createIndex('profiles_user_idx').ifNotExists().on('profiles').column('user_id').execute();",
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const db = await database('sqlite');
    const { code, report } = await lint(dir, [], { url: db.url });
    // Not concurrent on an existing table: the PostgreSQL branch ran, the SQLite branch would print nothing.
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/001_concurrent.ts:7 require-concurrent-index-creation error',
    ]);
    expect(report!.linted).toEqual([
      { version: 1, name: 'concurrent', file: 'migrations/001_concurrent.ts', transactional: false },
    ]);
  });
});

describe('migrate lint: pending migrations of a real database', () => {
  it('lints only what is pending; a table created by an applied migration counts as existing', async () => {
    const db = await database('postgres');
    const { dir } = folder({
      '001_users.up.sql': 'create table users (id bigint primary key, email text);\n',
    });
    const applied = await runCliInProcess(['--dir', dir, '--url', db.url, 'latest'], {
      cwd: path.dirname(dir),
    });
    expect(applied.code).toBe(0);
    await import('node:fs').then((fs) =>
      fs.writeFileSync(
        path.join(dir, '002_users_email.up.sql'),
        'create index users_email_idx on users (email);\n',
      ),
    );

    const pending = await lint(dir, [], { url: db.url });
    expect(pending.code).toBe(3);
    expect(pending.report!.linted.map((l) => l.version)).toEqual([2]);
    expect(rulesAt(pending.report)).toEqual([
      'migrations/002_users_email.up.sql:1 require-concurrent-index-creation error',
    ]);

    // --all lints the set from scratch: users is created earlier in it, so the index is fine.
    const all = await lint(dir, ['--all'], { url: db.url });
    expect(all.code).toBe(0);
    expect(all.report!.findings).toEqual([]);

    // --since 1 treats 001 as applied: same verdict as pending, without asking the database.
    const since = await lint(dir, ['--since', '1']);
    expect(rulesAt(since.report)).toEqual(rulesAt(pending.report));

    // lint changed nothing.
    expect((await trackingRows(db)).map((r) => r.version)).toEqual([1]);
    expect(await db.query(`select indexname from pg_indexes where indexname = 'users_email_idx'`)).toEqual(
      [],
    );
  });

  it('reads the history without creating anything on a fresh database', async () => {
    const db = await database('postgres');
    const { dir } = folder({ '001_users.up.sql': 'create table users (id bigint primary key);\n' });
    const { code, report } = await lint(dir, [], { url: db.url });
    expect(code).toBe(0);
    expect(report!.linted.map((l) => l.version)).toEqual([1]);
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
    expect(await tableExists(db, 'users')).toBe(false);
  });

  it('says so when nothing is pending', async () => {
    const db = await database('sqlite');
    const { dir, cwd } = folder({ '001_users.up.sql': 'create table users (id bigint primary key);\n' });
    await runCliInProcess(['--dir', dir, '--url', db.url, 'latest'], { cwd });
    const run = await runCliInProcess(['--dir', dir, '--url', db.url, 'lint'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Nothing to lint: no pending migrations on sqlite:.* \(use --all to lint every migration\)\.\n$/,
    );
  });
});

describe('migrate lint: kmigrate-lint-ignore', () => {
  const indexOnAccounts = 'create index accounts_email_idx on accounts (email);\n';

  it('a suppression with a reason silences that rule in that migration only', async () => {
    const { dir } = folder({
      '001_accounts_email.up.sql': `-- kmigrate-lint-ignore require-concurrent-index-creation: accounts has 40 rows, runs in ms\n${indexOnAccounts}`,
      '002_accounts_name.up.sql': 'create index accounts_name_idx on accounts (name);\n',
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/002_accounts_name.up.sql:1 require-concurrent-index-creation error',
    ]);
    expect(report!.suppressed).toEqual([
      {
        file: 'migrations/001_accounts_email.up.sql',
        line: 2,
        rule: 'require-concurrent-index-creation',
        version: 1,
        reason: 'accounts has 40 rows, runs in ms',
      },
    ]);
  });

  it('works as a // comment in a TypeScript module', async () => {
    const { dir } = folder({
      '001_profiles.ts': [
        "import type { Kysely } from 'kysely';",
        '// kmigrate-lint-ignore require-concurrent-index-creation: profiles is a lookup table of 12 rows',
        'export async function up(db: Kysely<unknown>): Promise<void> {',
        "  await db.schema.createIndex('profiles_user_idx').on('profiles').column('user_id').execute();",
        '}',
        '',
      ].join('\n'),
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(0);
    expect(report!.findings).toEqual([]);
    expect(report!.suppressed.map((s) => [s.rule, s.line])).toEqual([
      ['require-concurrent-index-creation', 4],
    ]);
  });

  it('a suppression without a reason is an error and silences nothing', async () => {
    const { dir } = folder({
      '001_accounts_email.up.sql': `-- kmigrate-lint-ignore require-concurrent-index-creation\n${indexOnAccounts}`,
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/001_accounts_email.up.sql:1 lint-ignore-without-reason error',
      'migrations/001_accounts_email.up.sql:2 require-concurrent-index-creation error',
    ]);
    expect(report!.suppressed).toEqual([]);
  });

  it('an unknown rule is an error; an unused suppression is a warning', async () => {
    const { dir } = folder({
      '001_a.up.sql':
        '-- kmigrate-lint-ignore require-concurent-index: typo\n-- kmigrate-lint-ignore ban-drop-table: nothing is dropped\ncreate table a (id bigint primary key);\n',
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/001_a.up.sql:1 lint-ignore-unknown-rule error',
      'migrations/001_a.up.sql:2 lint-ignore-unused warning',
    ]);
  });
});

describe('migrate lint: kmigrate rules and severities', () => {
  it('flags a non-transactional migration that mixes CONCURRENTLY with other statements', async () => {
    const { dir } = folder({
      '001_mixed.up.sql': [
        '-- migrate:no-transaction',
        'create index concurrently if not exists accounts_email_idx on accounts (email);',
        'alter table accounts add column nickname text;',
        '',
      ].join('\n'),
      '002_alone.up.sql': 'create index concurrently if not exists accounts_name_idx on accounts (name);\n',
    });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(3);
    expect(rulesAt(report)).toEqual([
      'migrations/001_mixed.up.sql:3 mixed-non-transactional error',
      // Outside a transaction squawk also asks for IF NOT EXISTS, so a retry after a failure works.
      'migrations/001_mixed.up.sql:3 prefer-robust-stmts warning',
    ]);
    // 002 has CONCURRENTLY alone: the engine runs it outside a transaction, and so does squawk's check.
    expect(report!.linted.map((l) => l.transactional)).toEqual([false, false]);
  });

  it('flags TRUNCATE, VACUUM FULL, drops, renames and NOT NULL without default on existing tables', async () => {
    const { dir } = folder({
      '001_risky.up.sql': [
        'truncate audit_log;',
        'alter table accounts drop column legacy;',
        'alter table accounts rename column name to full_name;',
        'alter table accounts add column plan text not null;',
        'drop table old_sessions;',
        '',
      ].join('\n'),
      '002_vacuum.up.sql': 'vacuum full accounts;\n',
      '003_new.up.sql': [
        'create table scratch (id bigint primary key);',
        'truncate scratch;',
        'alter table scratch add column note text not null;',
        'drop table scratch;',
        '',
      ].join('\n'),
    });
    const { code, stdout } = await runCliInProcess(['--dir', dir, 'lint', '--all'], {
      cwd: path.dirname(dir),
    });
    expect(code).toBe(3);
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => l.replace(/: error: .*|: warning: .*/, ''))).toEqual([
      'migrations/001_risky.up.sql:1 ban-truncate',
      'migrations/001_risky.up.sql:2 ban-drop-column',
      'migrations/001_risky.up.sql:3 renaming-column',
      'migrations/001_risky.up.sql:4 adding-required-field',
      'migrations/001_risky.up.sql:5 ban-drop-table',
      'migrations/002_vacuum.up.sql:1 ban-vacuum-full',
    ]);
    // One line per finding: file:line rule: severity: message (help).
    expect(lines[0]).toBe(
      'migrations/001_risky.up.sql:1 ban-truncate: error: TRUNCATE deletes every row and takes an ACCESS EXCLUSIVE lock (delete the rows you mean in a data migration, or suppress with a reason)',
    );
    expect(lines.at(-1)).toBe('Linted 3 migrations (all migrations): 6 errors, 0 warnings.');
  });

  it('warnings alone exit 0', async () => {
    const { dir } = folder({ '001_t.up.sql': 'create table t (id int primary key, at timestamp);\n' });
    const { code, report } = await lint(dir, ['--all']);
    expect(code).toBe(0);
    expect(report!.errors).toBe(0);
    expect(report!.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['prefer-bigint-over-int', 'warning'],
      ['prefer-timestamp-tz', 'warning'],
    ]);
  });

  it('maps findings in a dbmate file to the file line, past its -- migrate:up header', async () => {
    const { dir } = folder({
      '001_dbmate.sql':
        '-- migrate:up\n\n\ncreate index a_idx on accounts (a);\n\n-- migrate:down\ndrop index a_idx;\n',
    });
    const { report } = await lint(dir, ['--all']);
    expect(rulesAt(report)).toEqual(['migrations/001_dbmate.sql:4 require-concurrent-index-creation error']);
  });

  it('a module that cannot compile without a database is reported by file (exit 2)', async () => {
    const { dir, cwd } = folder({
      '001_introspects.ts': [
        "import type { Kysely } from 'kysely';",
        'export async function up(db: Kysely<unknown>): Promise<void> {',
        '  await db.introspection.getTables();',
        '}',
        '',
      ].join('\n'),
    });
    const run = await runCliInProcess(['--dir', dir, 'lint', '--all'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: 001_introspects\.ts: could not be compiled to PostgreSQL SQL for lint: introspection is not available in a dry run; /,
    );
  });

  it('fails with one line (exit 2) when squawk cannot run', async () => {
    const { dir, cwd } = folder({ '001_t.up.sql': 'create table t (id bigint primary key);\n' });
    const run = await runCliInProcess(['--dir', dir, 'lint', '--all'], {
      cwd,
      env: { KMIGRATE_SQUAWK: path.join(cwd, 'no-such-squawk') },
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: squawk failed \(ENOENT\)/);
  });
});
