import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 15: an over-long --table, and tracking tables altered by hand.
 * Each: one line naming the table and the statement that fixes it, the
 * documented exit code, and the database exactly as it was (no row written,
 * no migration run). After the printed fix, the run completes.
 */
const folder = migrationFolders();

describeEachDialect('tracking tables: over-long names and hand-made changes', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);
  const pg = () => ctx.dialect === 'postgres';
  const oneLine = (stderr: string) => {
    const lines = stderr.split('\n').filter((l) => l.trim());
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\n\s+at /);
    return lines[0]!;
  };
  const historyVersions = async () =>
    (
      await ctx.database.query<{ version: unknown }>(
        'select version from schema_migrations_history order by id',
      )
    ).map((r) => Number(r.version));
  const files = { '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') };

  it('a --table longer than 51 characters: exit 2 naming the 63-byte limit, nothing created', async () => {
    const dir = folder(files);
    const long = `t${'x'.repeat(51)}`; // 52: "<table>_repeatables" would be 64 bytes
    const run = await cli(dir, '--table', long, 'latest');
    expect(run.code, run.stderr).toBe(2);
    expect(oneLine(run.stderr)).toMatch(
      /^error: config "table": is longer than 51 characters: PostgreSQL cuts identifiers at 63 bytes and "<table>_repeatables" must fit too; choose a shorter name$/,
    );
    expect(await tableExists(ctx.database, long)).toBe(false);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    // 51 characters fit: the tables exist under their full names, the history is its own table.
    const fits = 'y'.repeat(51);
    expect((await cli(dir, '--table', fits, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database, fits)).map((r) => r.version)).toEqual([1, 2]);
    const history = await ctx.database.query<{ version: unknown }>(`select version from "${fits}_history"`);
    expect(history.map((h) => Number(h.version))).toEqual([1, 2]);
  });

  it('the history table dropped by hand: exit 4 with the CREATE TABLE, nothing runs; after it the run completes', async () => {
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    await ctx.database.query('drop table schema_migrations_history');
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(4);
    const line = oneLine(run.stderr);
    expect(line).toMatch(
      /^error: tracking table (public\.)?schema_migrations_history is missing \(dropped by hand\?\).*changed nothing; restore it from a backup, or recreate it empty.*: `create table if not exists .*schema_migrations_history/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    // The printed statement is the fix.
    await ctx.database.query(line.slice(line.lastIndexOf(': `') + 3, -1));
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect(await historyVersions()).toEqual([2]);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
  });

  it('the tracking table dropped and the history left altered: the run that recreates the tracking table still reads the shape and refuses', async () => {
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    await ctx.database.query('drop table schema_migrations');
    await ctx.database.query('alter table schema_migrations_history drop column performed_by');
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(4);
    expect(oneLine(run.stderr)).toMatch(/schema_migrations_history has no column performed_by/);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect(await trackingRows(ctx.database)).toEqual([]);
    expect(await historyVersions()).toEqual([1]);
  });

  it('a column of the history table dropped: exit 4 naming it and the ALTER TABLE that adds it back', async () => {
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    await ctx.database.query('alter table schema_migrations_history drop column performed_by');
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(4);
    const line = oneLine(run.stderr);
    expect(line).toMatch(
      /^error: tracking table (public\.)?schema_migrations_history has no column performed_by \(dropped by hand\?\).*add it back: `alter table .*add column "performed_by" text not null default ''`$/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    await ctx.database.query(line.slice(line.lastIndexOf(': `') + 3, -1));
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect(await historyVersions()).toEqual([1, 2]);
  });

  it('version turned into text: exit 4 naming the column and its type, nothing runs', async () => {
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    if (pg()) {
      await ctx.database.query('alter table schema_migrations alter column version type text');
    } else {
      // SQLite cannot change a type in place either: rebuild the table as a person would.
      for (const statement of [
        'create table sm_new (version text primary key, name text not null, checksum text not null, state text not null, applied_at text not null, execution_ms integer not null, applied_by text not null, error text)',
        'insert into sm_new select * from schema_migrations',
        'drop table schema_migrations',
        'alter table sm_new rename to schema_migrations',
      ])
        await ctx.database.query(statement);
    }
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(4);
    const line = oneLine(run.stderr);
    expect(line).toMatch(
      /^error: tracking table (public\.)?schema_migrations column version is text, not integer/i,
    );
    expect(line).toMatch(
      pg()
        ? /change it back: `alter table "public"\."schema_migrations" alter column "version" type bigint using "version"::bigint`$/
        : /rebuild the table with version as integer and copy its rows over/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    expect(await historyVersions()).toEqual([1]);
    if (pg()) {
      await ctx.database.query(line.slice(line.lastIndexOf(': `') + 3, -1));
      expect((await cli(dir, 'latest')).code).toBe(0);
      expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    }
  });

  // The repeatables' table (made with the first R__ file) is checked the same way when it exists.
  const repeatableFiles = {
    '001_a.ts': tableModule('a'),
    'R__v.sql': 'drop view if exists v;\ncreate view v as select 1 as x;\n',
  };
  const dropRepeatablesKey = async () => {
    if (pg()) {
      await ctx.database.query(
        'alter table schema_migrations_repeatables drop constraint schema_migrations_repeatables_pkey',
      );
      return;
    }
    for (const statement of [
      'create table r_new (name text, checksum text not null, applied_at text not null, execution_ms integer not null, applied_by text not null)',
      'insert into r_new select * from schema_migrations_repeatables',
      'drop table schema_migrations_repeatables',
      'alter table r_new rename to schema_migrations_repeatables',
    ])
      await ctx.database.query(statement);
  };
  const repeatableRows = async () =>
    (await ctx.database.query<{ name: string }>('select name from schema_migrations_repeatables')).map(
      (r) => r.name,
    );

  it('a column of the repeatables table dropped: exit 4 naming it and the ALTER TABLE, nothing runs; after it the run completes', async () => {
    const dir = folder(repeatableFiles);
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect(await repeatableRows()).toEqual(['R__v']);
    await ctx.database.query('alter table schema_migrations_repeatables drop column applied_by');
    // Reading the table already fails: even status names the column and the statement that adds it.
    const status = await cli(dir, 'status');
    expect(status.code, status.stderr).toBe(4);
    expect(oneLine(status.stderr)).toMatch(
      /^error: tracking table (public\.)?schema_migrations_repeatables has no column applied_by \(dropped by hand\?\).*add it back: `alter table /,
    );
    const next = folder({ ...repeatableFiles, '002_b.ts': tableModule('b') });
    const run = await cli(next, 'latest');
    expect(run.code, run.stderr).toBe(4);
    const line = oneLine(run.stderr);
    expect(line).toMatch(
      /^error: tracking table (public\.)?schema_migrations_repeatables has no column applied_by \(dropped by hand\?\).*add it back: `alter table .*add column "applied_by" text not null default ''`$/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    await ctx.database.query(line.slice(line.lastIndexOf(': `') + 3, -1));
    expect((await cli(next, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect(await repeatableRows()).toEqual(['R__v']);
  });

  it("the repeatables table's key on name dropped: exit 4 with the statement that restores it, nothing runs", async () => {
    const dir = folder(repeatableFiles);
    expect((await cli(dir, 'latest')).code).toBe(0);
    await dropRepeatablesKey();
    const next = folder({ ...repeatableFiles, '002_b.ts': tableModule('b') });
    const run = await cli(next, 'latest');
    expect(run.code, run.stderr).toBe(4);
    const line = oneLine(run.stderr);
    expect(line).toMatch(
      /^error: tracking table (public\.)?schema_migrations_repeatables has lost the primary key on name .*so one repeatable can have several rows.*delete the duplicate rows, then run `(alter table "public"\."schema_migrations_repeatables" add primary key \(name\)|create unique index "schema_migrations_repeatables_name_key" on "schema_migrations_repeatables" \(name\))`$/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    await ctx.database.query(line.slice(line.lastIndexOf('run `') + 5, -1));
    expect((await cli(next, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect(await repeatableRows()).toEqual(['R__v']);
  });

  it('a repeatables table altered by hand refuses a run that only reapplies a changed repeatable', async () => {
    const dir = folder(repeatableFiles);
    expect((await cli(dir, 'latest')).code).toBe(0);
    await dropRepeatablesKey();
    const changed = folder({
      ...repeatableFiles,
      'R__v.sql': 'drop view if exists v;\ncreate view v as select 2 as x;\n',
    });
    const run = await cli(changed, 'latest');
    expect(run.code, run.stderr).toBe(4);
    expect(oneLine(run.stderr)).toMatch(
      /^error: tracking table (public\.)?schema_migrations_repeatables has lost the primary key on name /,
    );
    // The view is as the first run left it: the changed repeatable did not run.
    expect(await ctx.database.query<{ x: unknown }>('select x from v')).toEqual([{ x: 1 }]);
  });

  it("version's primary key dropped: refused before a duplicate exists, and status refuses duplicates", async () => {
    const dir = folder(files);
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    if (pg()) {
      await ctx.database.query('alter table schema_migrations drop constraint schema_migrations_pkey');
    } else {
      for (const statement of [
        'create table sm_new (version integer, name text not null, checksum text not null, state text not null, applied_at text not null, execution_ms integer not null, applied_by text not null, error text)',
        'insert into sm_new select * from schema_migrations',
        'drop table schema_migrations',
        'alter table sm_new rename to schema_migrations',
      ])
        await ctx.database.query(statement);
    }
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(4);
    expect(oneLine(run.stderr)).toMatch(
      /^error: tracking table (public\.)?schema_migrations has lost the primary key on version .*delete the duplicate rows, then run `(alter table "public"\."schema_migrations" add primary key \(version\)|create unique index "schema_migrations_version_key" on "schema_migrations" \(version\))`$/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);

    // A duplicate row (as two racing processes would leave without the key): even status refuses.
    await ctx.database.query(
      'insert into schema_migrations select * from schema_migrations where version = 1',
    );
    const status = await cli(dir, 'status');
    expect(status.code, status.stderr).toBe(4);
    expect(oneLine(status.stderr)).toMatch(/has more than one row for version 1 .*delete the extra rows/);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 1]);
  });
});
