import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  computeIntegritySum,
  IntegritySumError,
  migrateToLatest,
  writeIntegritySum,
} from '../../src/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

const sumFile = (dir: string) => fs.readFileSync(path.join(dir, 'kmigrate.sum'), 'utf8');

describeEachDialect('integrity sum (migrations/kmigrate.sum)', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('create starts a new project with a sum; an edited file is refused (exit 2) before the database is touched; `sum` accepts it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sum-'));
    roots.push(root);
    const dir = path.join(root, 'migrations');
    const created = await cli(dir, 'create', 'add widgets', '--sql');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Updated .*kmigrate\.sum/);
    expect(sumFile(dir)).toMatch(
      /^h1:\S+\n001_add_widgets\.down\.sql h1:\S+\n001_add_widgets\.up\.sql h1:\S+\n$/,
    );

    fs.writeFileSync(
      path.join(dir, '001_add_widgets.up.sql'),
      'create table widgets (id integer primary key);\n',
    );
    const refused = await cli(dir, 'latest');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: 001_add_widgets\.up\.sql: was changed since kmigrate\.sum was written; .*run `(npx kmigrate|npm run migrate --) sum`/m,
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    // Nothing touched: not even the tracking table exists.
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    expect(await tableExists(ctx.database, 'widgets')).toBe(false);

    expect((await cli(dir, 'sum')).code).toBe(0);
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect(await tableExists(ctx.database, 'widgets')).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name])).toEqual([[1, 'add_widgets']]);

    // create keeps the sum of a folder that has one: the next run is accepted without `sum`.
    expect((await cli(dir, 'create', 'second')).code).toBe(0);
    expect(sumFile(dir)).toMatch(/\n002_second\.ts h1:\S+\n$/);
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
  });

  it('a migration added without `sum` is named, and so is a deleted one; status refuses too', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
    writeIntegritySum(dir);
    fs.writeFileSync(path.join(dir, '003_c.ts'), tableModule('c'));
    const added = await cli(dir, 'status');
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/^error: 003_c\.ts: is not in kmigrate\.sum \(added without updating it\)/m);
    fs.rmSync(path.join(dir, '003_c.ts'));
    fs.rmSync(path.join(dir, '002_b.ts'));
    const deleted = await cli(dir, 'latest');
    expect(deleted.code).toBe(2);
    expect(deleted.stderr).toMatch(/^error: 002_b\.ts: is in kmigrate\.sum but no longer in the folder/m);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
  });
});

it('the running hash: each line covers every file before it, so changing the first file changes every line; CRLF does not', () => {
  const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
  const before = computeIntegritySum(dir);
  fs.writeFileSync(path.join(dir, '002_b.ts'), tableModule('b').replace(/\n/g, '\r\n'));
  expect(computeIntegritySum(dir)).toEqual(before);
  fs.writeFileSync(path.join(dir, '001_a.ts'), `${tableModule('a')}// note\n`);
  const after = computeIntegritySum(dir);
  expect(after.lines.map((l) => l.file)).toEqual(['001_a.ts', '002_b.ts']);
  expect(after.lines[0]!.hash).not.toBe(before.lines[0]!.hash);
  expect(after.lines[1]!.hash).not.toBe(before.lines[1]!.hash);
  expect(after.total).not.toBe(before.total);
});

it('a hand-edited total, and `sum --check`, are refused with exit 2', async () => {
  const dir = folder({ '001_a.ts': tableModule('a') });
  const noFile = await runCliInProcess(['--dir', dir, 'sum', '--check']);
  expect(noFile.code).toBe(2);
  expect(noFile.stderr).toMatch(/kmigrate\.sum: does not exist/);
  writeIntegritySum(dir);
  expect((await runCliInProcess(['--dir', dir, 'sum', '--check'])).code).toBe(0);
  fs.writeFileSync(path.join(dir, 'kmigrate.sum'), sumFile(dir).replace(/^h1:./, 'h1:#'));
  const edited = await runCliInProcess(['--dir', dir, 'sum', '--check']);
  expect(edited.code).toBe(2);
  expect(edited.stderr).toMatch(/its total \(line 1\) does not match its lines: it was edited by hand/);
});

it('verify refuses a folder that does not match its sum before building any scratch database', async () => {
  const dir = folder({ '001_a.ts': tableModule('a') });
  writeIntegritySum(dir);
  fs.writeFileSync(path.join(dir, '001_a.ts'), tableModule('a2'));
  const run = await runCliInProcess(['--url', 'sqlite::memory:', '--dir', dir, 'verify']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/001_a\.ts: was changed since kmigrate\.sum was written/);
  expect(run.stdout).not.toMatch(/Verifying/);
});

it('config: integritySum false turns the check off (and create does not write one); unset without a file is not checked; true requires the file', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sum-config-'));
  roots.push(root);
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '001_a.ts'), tableModule('a'));
  const url = `sqlite:${path.join(root, 'dev.sqlite')}`;
  const cli = (...args: string[]) => runCliInProcess(['--url', url, ...args], { cwd: root });

  // Unset, no file: an existing project is not checked, and create in a non-empty folder does not start one.
  expect((await cli('status')).code).toBe(0);
  expect((await cli('create', 'b')).code).toBe(0);
  expect(fs.existsSync(path.join(dir, 'kmigrate.sum'))).toBe(false);

  fs.writeFileSync(path.join(root, 'kysely.config.ts'), 'export default { integritySum: true };\n');
  const required = await cli('status');
  expect(required.code).toBe(2);
  expect(required.stderr).toMatch(/kmigrate\.sum: does not exist but the config requires it/);

  writeIntegritySum(dir);
  fs.writeFileSync(path.join(dir, '003_c.ts'), tableModule('c'));
  // A second file name: the first config module stays cached by its URL in this process.
  fs.writeFileSync(path.join(root, 'off.config.ts'), 'export default { integritySum: false };\n');
  const off = await cli('--config', 'off.config.ts', 'latest');
  expect(off.code).toBe(0);
  expect((await cli('--config', 'off.config.ts', 'create', 'd')).code).toBe(0);
  expect(sumFile(dir)).not.toMatch(/004_d/);
});

it('two branches that each add a migration and run `sum` conflict in git; the conflicted sum is refused (exit 2)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sum-git-'));
  roots.push(root);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, '001_a.ts'), tableModule('a'));
  expect((await runCliInProcess(['--dir', dir, 'sum'])).code).toBe(0);
  git('add', '.');
  git('commit', '-q', '-m', 'one');

  for (const [branch, file] of [
    ['left', '002_left.ts'],
    ['right', '002_right.ts'],
  ] as const) {
    git('checkout', '-q', '-b', branch, 'main');
    fs.writeFileSync(path.join(dir, file), tableModule(branch));
    expect((await runCliInProcess(['--dir', dir, 'sum'])).code).toBe(0);
    git('add', '.');
    git('commit', '-q', '-m', branch);
  }
  git('checkout', '-q', 'left');
  let conflict = '';
  try {
    git('merge', '--no-edit', 'right');
  } catch (error) {
    conflict = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(conflict).toMatch(/CONFLICT \(content\): Merge conflict in migrations\/kmigrate\.sum/);
  expect(git('diff', '--name-only', '--diff-filter=U').trim()).toBe('migrations/kmigrate.sum');

  const run = await runCliInProcess([
    '--url',
    `sqlite:${path.join(root, 'x.sqlite')}`,
    '--dir',
    dir,
    'latest',
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/kmigrate\.sum: has git merge-conflict markers/);
  expect(fs.existsSync(path.join(root, 'x.sqlite'))).toBe(false);
});

it('the embedding API (app start-up) refuses a folder that does not match its sum with IntegritySumError, before connecting', async () => {
  const dir = folder({ '001_a.ts': tableModule('a') });
  writeIntegritySum(dir);
  fs.writeFileSync(path.join(dir, '002_b.ts'), tableModule('b'));
  const file = path.join(path.dirname(dir), 'app.sqlite');
  const error = await migrateToLatest(`sqlite:${file}`, { config: { migrationsDir: dir } }).catch((e) => e);
  expect(error).toBeInstanceOf(IntegritySumError);
  expect(error).toMatchObject({ exitCode: 2, file: '002_b.ts' });
  expect(fs.existsSync(file)).toBe(false);
  // The switch turns it off for the API too.
  await migrateToLatest(`sqlite:${file}`, { config: { migrationsDir: dir, integritySum: false } });
  expect(fs.existsSync(file)).toBe(true);
});
