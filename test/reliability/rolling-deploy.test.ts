import { expect, it } from 'vitest';
import { startApp } from '../../src/app/start-app.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 17: during a rolling deploy an old instance (files up to 2) starts
 * against a database the new release already took to 3. Row 3 is *ahead*, not
 * missing: the old instance starts with a warning, and no hint ever suggests
 * forgetting it. A row missing in the middle stays an error.
 */
const folder = migrationFolders();

describeEachDialect('rolling deploys: applied migrations newer than the folder', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);
  const oldRelease = () => folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
  const newRelease = () =>
    folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b'), '003_c.ts': tableModule('c') });

  it('latest from the old release succeeds with a warning naming the rows ahead; nothing is forgotten', async () => {
    expect((await cli(newRelease(), 'latest')).code).toBe(0);
    const old = oldRelease();
    const run = await cli(old, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^warning: .*3_c.*newer than/m);
    expect(run.stderr).not.toMatch(/forget/);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    expect(await tableExists(ctx.database, 'c')).toBe(true);

    const status = await cli(old, 'status', '--check');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/3\s+c\s+ahead/);

    // repair --forget-missing never drops a row that is ahead.
    const repair = await cli(old, 'repair', '--forget-missing');
    expect(repair.code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('the app started from the old release starts, warning about the rows ahead', async () => {
    expect((await cli(newRelease(), 'latest')).code).toBe(0);
    const lines: string[] = [];
    const app = await startApp({
      env: { DATABASE_URL: ctx.database.url, PORT: '0', KMIGRATE_MIGRATIONS_DIR: oldRelease() },
      log: (l) => lines.push(l),
      logger: false,
    });
    await app.close();
    expect(lines.join('\n')).toMatch(/warning: .*3_c.*newer than/);
    expect(lines.join('\n')).not.toMatch(/forget/);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('down/redo from the old release refuses (exit 4): it would roll back under a migration it does not know', async () => {
    expect((await cli(newRelease(), 'latest')).code).toBe(0);
    const old = oldRelease();
    for (const args of [
      ['down', '--yes'],
      ['redo', '--yes'],
      ['to', '1', '--yes'],
    ]) {
      const run = await cli(old, ...args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(4);
      expect(run.stderr).toMatch(/3_c/);
      expect(run.stderr).not.toMatch(/forget/);
    }
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await tableExists(ctx.database, 'b')).toBe(true);
  });

  it('a file missing in the middle stays an error (exit 4)', async () => {
    expect((await cli(newRelease(), 'latest')).code).toBe(0);
    const gap = folder({ '001_a.ts': tableModule('a'), '003_c.ts': tableModule('c') });
    const run = await cli(gap, 'latest');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/2_b/);
    expect(run.stderr).not.toMatch(/3_c/);
  });
});
