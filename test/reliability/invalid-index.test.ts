import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 12: a CREATE INDEX CONCURRENTLY that fails (here: a unique index
 * over duplicate rows) leaves an INVALID index on PostgreSQL. The error line
 * names it with the exact cleanup, the row stays dirty with that reason,
 * `status` warns about it (text and JSON), and the cleanup it prints works.
 * SQLite has no such thing: the same failing step leaves no index and the
 * generic dirty advice.
 */
const folder = migrationFolders();

describeEachDialect('a failed non-transactional index build', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('names the INVALID index it left, the exact cleanup, and status shows it', async () => {
    const postgres = ctx.dialect === 'postgres';
    const dir = folder({
      '001_t.up.sql': 'create table t (x integer);\ninsert into t values (1), (1), (2);\n',
      '001_t.down.sql': 'drop table t;\n',
      '002_unique_x.up.sql': postgres
        ? 'create unique index concurrently t_x_key on t (x);\n'
        : '-- migrate:no-transaction\ncreate unique index t_x_key on t (x);\n',
      '002_unique_x.down.sql': 'drop index t_x_key;\n',
    });
    const run = await cli(dir, 'latest', '--no-codegen');
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.trim());
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: 002_unique_x\.up\.sql(:\d+:\d+)?: migration 2 up failed/);
    const rows = await ctx.database.query<{ version: number; state: string; error: string | null }>(
      'select version, state, error from schema_migrations order by version',
    );
    expect(rows.map((r) => [Number(r.version), r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    const status = await cli(dir, 'status', '--json');
    const report = JSON.parse(status.stdout) as { dirty: boolean; invalidIndexes: unknown[] };
    expect(report.dirty).toBe(true);

    if (!postgres) {
      expect(lines[0]).toMatch(/dirty at 2; inspect it/);
      expect(lines[0]).not.toMatch(/INVALID/);
      expect(report.invalidIndexes).toEqual([]);
      return;
    }
    const drop = 'DROP INDEX CONCURRENTLY IF EXISTS "public"."t_x_key";';
    expect(lines[0]).toContain(`it left the INVALID index "public"."t_x_key"`);
    expect(lines[0]).toContain(`\`${drop}\``);
    expect(lines[0]).toMatch(/force 2 --not-applied`.*latest`/);
    // The row records the same truth as the line.
    expect(rows[1]?.error).toContain(drop);
    // The catalog agrees: the index is there and INVALID.
    expect(
      await ctx.database.query(
        "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 't_x_key'",
      ),
    ).toEqual([{ indisvalid: false }]);
    expect(report.invalidIndexes).toEqual([{ schema: 'public', name: 't_x_key', table: 't' }]);
    const text = await cli(dir, 'status');
    expect(text.stderr).toContain(`warning: INVALID index "public"."t_x_key" on t`);
    expect(text.stderr).toContain(drop);

    // The printed cleanup is the way out.
    await ctx.database.query(drop);
    await ctx.database.query('delete from t where ctid not in (select min(ctid) from t group by x)');
    expect((await cli(dir, 'force', '2', '--not-applied')).code).toBe(0);
    const again = await cli(dir, 'latest', '--no-codegen');
    expect(again.code, again.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(
      await ctx.database.query(
        "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 't_x_key'",
      ),
    ).toEqual([{ indisvalid: true }]);
    expect(JSON.parse((await cli(dir, 'status', '--json')).stdout).invalidIndexes).toEqual([]);
  }, 120_000);

  it('an INVALID index left before the step is not blamed on it', async () => {
    if (ctx.dialect !== 'postgres') return;
    await ctx.database.query('create table old (x integer)');
    await ctx.database.query('insert into old values (1), (1)');
    await ctx.database.query('create unique index concurrently old_x_key on old (x)').catch(() => undefined);
    const dir = folder({
      '001_t.up.sql': 'create table t (x integer);\ninsert into t values (1), (1);\n',
      '001_t.down.sql': 'drop table t;\n',
      '002_fails.up.sql': '-- migrate:no-transaction\nselect 1/0;\n',
      '002_fails.down.sql': 'select 1;\n',
    });
    const run = await cli(dir, 'latest', '--no-codegen');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toContain('old_x_key');
    expect(run.stderr).toMatch(/dirty at 2; inspect it/);
    // status still shows it: it is in the managed schema.
    expect(JSON.parse((await cli(dir, 'status', '--json')).stdout).invalidIndexes).toEqual([
      { schema: 'public', name: 'old_x_key', table: 'old' },
    ]);
  }, 120_000);
});
