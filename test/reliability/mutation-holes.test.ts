import fs from 'node:fs';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrateToLatest } from '../../src/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 "Proof": the holes a mutation audit found — each mutant passed every test.
 * Each test here fails against its mutant.
 */
const folder = migrationFolders();

describeEachDialect('mutation-audit holes', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('a step whose tracking insert fails leaves no trace: its schema change is gone with it', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    // Make the tracking insert of version 2 fail, after the step's own DDL has run.
    if (ctx.dialect === 'postgres') {
      await ctx.database.query('alter table schema_migrations add constraint refuse_2 check (version <> 2)');
    } else {
      await ctx.database.query(
        "create trigger refuse_2 before insert on schema_migrations when new.version = 2 begin select raise(abort, 'refuse_2'); end",
      );
    }
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/refuse_2/);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    const history = await ctx.database.query<{ version: unknown }>(
      'select version from schema_migrations_history',
    );
    expect(history.map((h) => Number(h.version))).toEqual([1]);
  });

  it('the embedding API refuses out-of-order migrations by default', async () => {
    const applied = folder({ '001_a.ts': tableModule('a'), '003_c.ts': tableModule('c') });
    await migrateToLatest(ctx.database.url, { config: { migrationsDir: applied } });
    const merged = folder({
      '001_a.ts': tableModule('a'),
      '002_b.ts': tableModule('b'),
      '003_c.ts': tableModule('c'),
    });
    await expect(
      migrateToLatest(ctx.database.url, { config: { migrationsDir: merged } }),
    ).rejects.toMatchObject({
      name: 'OutOfOrderError',
      exitCode: 4,
    });
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 3]);
    // …and applies them when asked.
    await migrateToLatest(ctx.database.url, { config: { migrationsDir: merged }, allowOutOfOrder: true });
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('status --check: 0 clean, 3 pending, 4 on a changed and on a dirty history', async () => {
    const files = { '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') };
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    expect((await cli(dir, 'status', '--check')).code).toBe(3);
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await cli(dir, 'status', '--check')).code).toBe(0);
    const changed = folder({ ...files, '002_b.ts': tableModule('b', '// edited') });
    expect((await cli(changed, 'status', '--check')).code).toBe(4);
    await ctx.database.query("update schema_migrations set state = 'running' where version = 2");
    expect((await cli(dir, 'status', '--check')).code).toBe(4);
  });

  for (const change of ['unique', 'other columns'] as const) {
    it(`drift sees an index with the same name that is now ${change}`, async () => {
      const dir = folder({
        '001_t.up.sql':
          'create table t (id integer primary key, a integer, b integer);\ncreate index t_idx on t (a);\n',
      });
      expect((await cli(dir, 'latest')).code).toBe(0);
      expect((await cli(dir, 'drift')).code).toBe(0);
      await ctx.database.query('drop index t_idx');
      await ctx.database.query(
        change === 'unique' ? 'create unique index t_idx on t (a)' : 'create index t_idx on t (a, b)',
      );
      const run = await cli(dir, 'drift');
      expect(run.code, run.stdout + run.stderr).toBe(3);
      expect(run.stdout + run.stderr).toMatch(/t_idx/);
    });
  }

  if (ctx.dialect === 'sqlite') {
    it('the SQLite migration lock, deterministically: held → exit 4 naming the lock file; released → runs', async () => {
      const dir = folder({ '001_a.ts': tableModule('a') });
      const file = ctx.database.url.replace(/^sqlite:/, '');
      expect((await cli(dir, 'status')).code).toBe(0);
      const holder = new Database(`${file}.kmigrate-lock`);
      holder.exec('begin immediate');
      try {
        const run = await cli(dir, 'latest', '--lock-timeout', '300');
        expect(run.code, run.stderr).toBe(4);
        expect(run.stderr).toMatch(/kmigrate-lock/);
        expect(await tableExists(ctx.database, 'a')).toBe(false);
      } finally {
        holder.exec('rollback');
        holder.close();
      }
      expect((await cli(dir, 'latest', '--lock-timeout', '300')).code).toBe(0);
      expect(await tableExists(ctx.database, 'a')).toBe(true);
      expect(fs.existsSync(`${file}.kmigrate-lock`)).toBe(true);
    });
  }
});
