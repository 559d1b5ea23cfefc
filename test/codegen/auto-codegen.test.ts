import { afterEach, describe, expect, it } from 'vitest';
import { runAutoCodegen } from '../../src/codegen/auto-codegen.ts';
import { resolveConfig } from '../../src/config/load-config.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { trackingRows } from '../support/migration-folder.ts';
import { type CodegenProject, codegenProject, FIXTURE, scratchEnv } from './codegen-project.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  files: Record<string, string> = FIXTURE,
): Promise<{ p: CodegenProject; dev: TestDatabase }> {
  const p = codegenProject(files);
  const dev = await createSqliteDatabase();
  cleanups.push(p.cleanup, () => dev.drop());
  return { p, dev };
}

/** Auto codegen is on: the test helper turns it off by default. */
const AUTO = { KMIGRATE_NO_CODEGEN: '' };
/** A scratch URL nothing listens on: any attempt to build the schema would fail loudly. */
const NO_POSTGRES = { KMIGRATE_CODEGEN_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:9/none' };

// The fixture's first migration is PostgreSQL SQL; the development database here is SQLite, so the
// dev runs use a folder SQLite accepts, and codegen builds the same files on PostgreSQL.
const PORTABLE = {
  '001_accounts.up.sql': 'create table accounts (id integer primary key, email text not null);\n',
  '001_accounts.down.sql': 'drop table accounts;\n',
  '002_notes.ts': FIXTURE['002_notes.ts'],
};

describe('codegen after latest/up/down (development)', () => {
  it('latest regenerates the types; down then skips codegen without starting PostgreSQL', async () => {
    const { p, dev } = await setup(PORTABLE);

    const latest = await p.cli(['--url', dev.url, 'latest'], AUTO);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toMatch(/Regenerated generated\/db\.ts in \d+ ms:/);
    expect(latest.stdout).toContain('+ notes (3 columns)');
    expect((await trackingRows(dev)).map((r) => r.version)).toEqual([1, 2]);
    const written = p.read()!;
    expect(written).toContain('pinned: Generated<boolean>;'); // PostgreSQL's type, not SQLite's

    // down applied something, the migration files did not change: fingerprint hit.
    const down = await p.cli(['--url', dev.url, 'down'], { ...AUTO, ...NO_POSTGRES });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(
      /Types in generated\/db\.ts are current \(migrations unchanged\); codegen skipped\./,
    );
    expect(down.stderr).toBe(''); // no attempt to reach the unreachable scratch server
    expect((await trackingRows(dev)).map((r) => r.version)).toEqual([1]);
    expect(p.read()).toBe(written);
  });

  it('runAutoCodegen: a fingerprint hit returns in milliseconds without starting PostgreSQL; a changed migration rebuilds', async () => {
    const { p } = await setup();
    const config = resolveConfig({}, { cwd: p.root, env: {} });
    const lines: string[] = [];
    const log = { log: (l: string) => lines.push(l), warn: (l: string) => lines.push(`warn: ${l}`) };

    const first = await runAutoCodegen(config, log, scratchEnv());
    expect(first).toMatchObject({ status: 'written', startedPostgres: true });
    const second = await runAutoCodegen(config, log, NO_POSTGRES);
    expect(second).toMatchObject({
      status: 'skipped',
      startedPostgres: false,
      fingerprint: first.fingerprint,
    });
    expect(second.ms).toBeLessThan(first.ms);
    expect(second.ms).toBeLessThan(1_000);

    // A comment in a migration changes its checksum: rebuilt, same tables, new header.
    p.write('001_accounts.up.sql', `-- accounts and friends\n${FIXTURE['001_accounts.up.sql']}`);
    const third = await runAutoCodegen(config, log, scratchEnv());
    expect(third).toMatchObject({ status: 'written', startedPostgres: true });
    expect(third.fingerprint).not.toBe(first.fingerprint);
    expect(lines.join('\n')).toMatch(/Regenerated generated\/db\.ts in \d+ ms \(header only\)\./);
  });

  it('a codegen failure is a warning: the migration still succeeded (exit 0), the password is not printed', async () => {
    const { p, dev } = await setup(PORTABLE);
    const run = await p.cli(['--url', dev.url, 'latest'], { ...AUTO, ...NO_POSTGRES });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: types in generated\/db\.ts were not regenerated: .*run `(npx kmigrate|npm run migrate --) codegen`/,
    );
    expect(run.stderr).not.toContain('secret');
    expect((await trackingRows(dev)).map((r) => r.version)).toEqual([1, 2]);
    expect(p.read()).toBeUndefined();
  });

  it('is off in production, with --no-codegen and with KMIGRATE_NO_CODEGEN', async () => {
    const { p, dev } = await setup(PORTABLE);
    const prod = await p.cli(['--url', dev.url, 'up'], { ...AUTO, NODE_ENV: 'production' });
    expect(prod.code).toBe(0);
    const flag = await p.cli(['--url', dev.url, '--no-codegen', 'up'], AUTO);
    expect(flag.code).toBe(0);
    expect((await trackingRows(dev)).map((r) => r.version)).toEqual([1, 2]);
    const env = await p.cli(['--url', dev.url, 'down'], { KMIGRATE_NO_CODEGEN: '1' });
    expect(env.code).toBe(0);
    expect(`${prod.stdout}${flag.stdout}${env.stdout}`).not.toMatch(/generated\/db\.ts/);
    expect(p.read()).toBeUndefined();
  });
});
