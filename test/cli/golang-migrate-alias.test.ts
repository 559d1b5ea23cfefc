/**
 * #12.8: golang-migrate's command line, mapped onto ours. Each mapping runs
 * against a real database and is checked by the tracking rows and the catalog.
 */
import { expect, it } from 'vitest';
import { translateGolangMigrateArgv } from '../../src/cli/golang-migrate-argv.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

function threeTables(): string {
  const files: Record<string, string> = {};
  for (const n of [1, 2, 3]) {
    files[`00${n}_t${n}.up.sql`] = `create table t${n} (id integer primary key);\n`;
    files[`00${n}_t${n}.down.sql`] = `drop table t${n};\n`;
  }
  return folder(files);
}

describeEachDialect('golang-migrate command line', (ctx) => {
  const versions = async () => (await trackingRows(ctx.database)).map((r) => `${r.version}:${r.state}`);
  /** `migrate -path DIR -database URL …`, the way golang-migrate is called. */
  const migrate = (dir: string, ...args: string[]) =>
    runCliInProcess(['-path', dir, '-database', ctx.database.url, ...args]);

  it('up N, up, version, down N, goto V, force V, down -all', async () => {
    const dir = threeTables();
    expect((await migrate(dir, 'up', '1')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied']);

    expect((await migrate(dir, 'up')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);

    const version = await migrate(dir, 'version');
    expect(version.code).toBe(0);
    expect(version.stdout).toBe('3\n');

    // Our safety stays: a rollback on PostgreSQL without a terminal needs --yes.
    if (ctx.dialect === 'postgres') {
      const refused = await migrate(dir, 'down', '1');
      expect(refused.code).toBe(2);
      expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);
    }
    expect((await migrate(dir, 'down', '1', '--yes')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied', '2:applied']);
    expect(await tableExists(ctx.database, 't3')).toBe(false);

    expect((await migrate(dir, 'goto', '1', '--yes')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied']);
    expect((await migrate(dir, 'goto', '3')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);

    // force V records V as applied without running it (here after rolling 3 back by hand).
    await ctx.database.query('drop table t3');
    await ctx.database.query('delete from schema_migrations where version = 3');
    expect((await migrate(dir, 'force', '3')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);
    expect(await tableExists(ctx.database, 't3')).toBe(false);
    await ctx.database.query('create table t3 (id integer primary key)');

    // -all is golang-migrate's own "no prompt".
    expect((await migrate(dir, 'down', '-all')).code).toBe(0);
    expect(await versions()).toEqual([]);
    expect(await tableExists(ctx.database, 't1')).toBe(false);
  });

  it('-source file://, drop -f, and drop without -f keeps our confirmation', async () => {
    const dir = threeTables();
    const source = (...args: string[]) =>
      runCliInProcess(['-source', `file://${dir}`, `-database=${ctx.database.url}`, ...args]);
    expect((await source('up')).code).toBe(0);
    expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);
    if (ctx.dialect === 'postgres') {
      expect((await source('drop')).code).toBe(2);
      expect(await versions()).toEqual(['1:applied', '2:applied', '3:applied']);
    }
    expect((await source('drop', '-f')).code).toBe(0);
    expect(await versions()).toEqual([]);
    for (const t of ['t1', 't2', 't3']) expect(await tableExists(ctx.database, t)).toBe(false);
  });

  it('a bad golang-migrate command line is a usage error (exit 2) that changes nothing', async () => {
    const dir = threeTables();
    const bad = await migrate(dir, 'down', 'some');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: down: takes one whole number above 0/);
    expect((await migrate(dir, 'sideways')).code).toBe(2);
    expect(await ctx.database.query('select 1 as x where 1 = 0')).toEqual([]);
  });
});

it('translates the flags: sqlite3:// URLs, x-migrations-table, -lock-timeout in seconds, create', () => {
  expect(
    translateGolangMigrateArgv([
      '-path=./db',
      '-database',
      'sqlite3://./app.db?x-migrations-table=versions',
      '-lock-timeout',
      '15',
      '-verbose',
      'up',
    ]),
  ).toEqual([
    '--dir',
    './db',
    '--url',
    'sqlite:./app.db',
    '--table',
    'versions',
    '--lock-timeout',
    '15000',
    '--verbose',
    'latest',
  ]);
  expect(
    translateGolangMigrateArgv(['-path', 'db', 'create', '-ext', 'sql', '-dir', 'db', '-seq', 'add_users']),
  ).toEqual(['--dir', 'db', '--dir', 'db', 'create', '--sql', 'add_users']);
  // Not golang-migrate's: left alone.
  expect(translateGolangMigrateArgv(['--url', 'sqlite:x', 'up', '--step', '2'])).toBeUndefined();
  expect(translateGolangMigrateArgv(['status'])).toBeUndefined();
  // Ours, ending in a flag without value: not golang-migrate's, and not an error either.
  expect(translateGolangMigrateArgv(['--json', 'lint', '--all'])).toBeUndefined();
  expect(translateGolangMigrateArgv(['--json', 'codegen', '--parity'])).toBeUndefined();
});

it('--help lists the golang-migrate mapping', async () => {
  const help = await runCliInProcess(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("golang-migrate's command line is accepted too");
  expect(help.stdout).toMatch(/goto V\s+to V/);
});
