import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 15 (files part): things named like a migration that are not one, and
 * modules that fail to load in odd ways. Each: exit 2, one line naming the file
 * and the next step, nothing changed — and a FIFO never hangs the run.
 */
const folder = migrationFolders();

type Setup = (dir: string) => void;
const CASES: [string, Setup, RegExp][] = [
  ['a directory', (d) => fs.mkdirSync(path.join(d, '002_x.up.sql')), /002_x\.up\.sql: is a directory/],
  [
    'a FIFO (must not hang)',
    (d) => execFileSync('mkfifo', [path.join(d, '002_x.up.sql')]),
    /002_x\.up\.sql: is a named pipe \(FIFO\)/,
  ],
  [
    'a dangling symlink',
    (d) => fs.symlinkSync(path.join(d, 'nowhere.sql'), path.join(d, '002_x.up.sql')),
    /002_x\.up\.sql: is a symbolic link to a file that does not exist/,
  ],
  [
    'a file over 2 GiB (sparse)',
    (d) => {
      const f = path.join(d, '002_x.up.sql');
      fs.writeFileSync(f, '');
      fs.truncateSync(f, 2 ** 31 + 1);
    },
    /002_x\.up\.sql: is 2147483649 bytes, over the \d+-byte limit/,
  ],
  [
    'a module that throws {}',
    (d) => fs.writeFileSync(path.join(d, '002_x.ts'), 'throw {};\nexport async function up() {}\n'),
    /002_x\.ts: cannot be loaded: it threw a non-Error value \{\}/,
  ],
  [
    "a module that throws 'x'",
    (d) => fs.writeFileSync(path.join(d, '002_x.ts'), "throw 'x';\nexport async function up() {}\n"),
    /002_x\.ts: cannot be loaded: it threw the string "x"/,
  ],
  [
    'a module whose top-level await rejects',
    (d) =>
      fs.writeFileSync(
        path.join(d, '002_x.ts'),
        "await Promise.reject(new Error('no config here'));\nexport async function up() {}\n",
      ),
    /002_x\.ts: cannot be loaded: no config here/,
  ],
  [
    'a module with a syntax error',
    (d) => fs.writeFileSync(path.join(d, '002_x.ts'), 'export async function up() {\n  const a = ;\n}\n'),
    /002_x\.ts: cannot be loaded: .+ at line 2, column \d+/,
  ],
];

describeEachDialect('bad files named like migrations', (ctx) => {
  it('--dir pointing at a file: exit 2 naming it, nothing changed', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    const run = await runCliInProcess([
      '--url',
      ctx.database.url,
      '--dir',
      path.join(dir, '001_a.ts'),
      'latest',
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/001_a\.ts: is a file, not the migrations folder; pass the folder to --dir/);
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
  });

  it('an unusable .down.sql does not stop its up (an up never reads it); the down that would run it refuses, naming it, nothing changed', async () => {
    const dir = folder({
      '001_a.up.sql': 'create table a (id integer primary key);\n',
      '001_a.down.sql': 'drop table a;\n',
    });
    fs.rmSync(path.join(dir, '001_a.down.sql'));
    execFileSync('mkfifo', [path.join(dir, '001_a.down.sql')]);
    const cli = (...args: string[]) =>
      runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args, '--no-codegen']);
    const up = await cli('latest');
    expect(up.code, up.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    const down = await cli('down', '--yes');
    expect(down.code, down.stderr).toBe(2);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^error: 001_a\.down\.sql: is a named pipe \(FIFO\)/);
    expect(await tableExists(ctx.database, 'a')).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
  });

  for (const [name, setup, message] of CASES) {
    it(`${name}: exit 2, one line naming it, nothing changed`, async () => {
      const dir = folder({ '001_a.ts': tableModule('a') });
      setup(dir);
      // The syntax error goes through the real CLI: its module loader (tsx/esbuild) is what users get.
      const args = ['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'];
      const run = name.includes('syntax') ? await runCliProcess(args) : await runCliInProcess(args);
      expect(run.code, run.stderr).toBe(2);
      const lines = run.stderr.split('\n').filter((l) => l.trim());
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(await tableExists(ctx.database, 'a')).toBe(false);
      expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    }, 60_000);
  }
});
