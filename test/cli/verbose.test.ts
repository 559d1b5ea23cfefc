/** #11.7: --verbose logs every SQL statement, as its help says; stdout stays clean for --json. */
import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

describeEachDialect('--verbose', (ctx) => {
  it('prints each statement on stderr: the migration, the tracking writes; without it, none', async () => {
    const dir = folder({
      '001_verbose_probe.up.sql': 'create table verbose_probe (id integer primary key);\n',
      '001_verbose_probe.down.sql': 'drop table verbose_probe;\n',
    });
    const quiet = await runCliInProcess(['--url', ctx.database.url, '--dir', dir, 'status']);
    expect(quiet.stderr).not.toContain('sql (');
    const run = await runCliInProcess([
      '--url',
      ctx.database.url,
      '--dir',
      dir,
      '--verbose',
      '--json',
      'latest',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // SQLite runs the file statement by statement (without the ;), PostgreSQL sends it whole.
    expect(run.stderr).toMatch(/^sql \(\d+ ms\): create table verbose_probe \(id integer primary key\);?$/m);
    expect(run.stderr).toMatch(/insert into ("public"\.)?"schema_migrations"/);
    expect(JSON.parse(run.stdout).results).toHaveLength(1);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    expect(await tableExists(ctx.database, 'verbose_probe')).toBe(true);
  });
});
