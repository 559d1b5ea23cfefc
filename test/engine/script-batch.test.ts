import { afterEach, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/index.ts';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';
import { holdTableLock } from '../support/table-lock.ts';

/**
 * #13, decision 0007: on PostgreSQL, under the run's lock, SQL steps in a row
 * go in one round trip, each in its own transaction with its tracking rows.
 * Whatever happens in that round trip, afterwards the rows and the schema
 * agree, every step reported applied is, the failing one is named at its line
 * and rolled back, and none after it ran. SQLite runs the same folders step by
 * step, with the same results.
 */
const folder = migrationFolders();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const create = (table: string) => `create table ${table} (id integer primary key);\n`;

describeEachDialect('SQL steps sent together', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args, '--no-codegen']);
  const versions = async () => (await trackingRows(ctx.database)).map((r) => Number(r.version));
  const history = async () =>
    (
      await ctx.database.query<{ version: unknown; action: string }>(
        'select version, action from schema_migrations_history order by id',
      )
    ).map((h) => `${h.action} ${Number(h.version)}`);

  it('a runtime error in the third of five: two applied and said so, the third rolled back at its line, the rest never ran', async () => {
    const dir = folder({
      '001_a.up.sql': create('a'),
      '002_b.up.sql': create('b'),
      '003_c.up.sql': `${create('c')}insert into c values (1);\ninsert into missing values (1);\n`,
      '004_d.up.sql': create('d'),
      '005_e.up.sql': create('e'),
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/applied\s+1_a\b[\s\S]*applied\s+2_b\b/);
    expect(run.stdout).not.toMatch(/applied\s+3_c\b/);
    const lines = run.stderr.split('\n').filter((l) => l.trim());
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: 003_c\.up\.sql:3(:\d+)?: migration 3 up failed in `insert into missing values \(1\)`: (relation "missing" does not exist|no such table: missing); it was rolled back and nothing after it ran/,
    );
    expect(await versions()).toEqual([1, 2]);
    expect(await history()).toEqual(['up 1', 'up 2']);
    for (const [t, exists] of [
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
      ['e', false],
    ] as const)
      expect(await tableExists(ctx.database, t), t).toBe(exists);
    // Fixed, the next run applies the rest.
    const fixed = folder({
      '001_a.up.sql': create('a'),
      '002_b.up.sql': create('b'),
      '003_c.up.sql': create('c'),
      '004_d.up.sql': create('d'),
      '005_e.up.sql': create('e'),
    });
    expect((await cli(fixed, 'latest')).code).toBe(0);
    expect(await versions()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a syntax error in the fourth of five: the three before it applied, the fourth named at its line, the fifth never ran', async () => {
    const dir = folder({
      '001_a.up.sql': create('a'),
      '002_b.up.sql': create('b'),
      '003_c.up.sql': create('c'),
      '004_d.up.sql': `${create('d')}\ncreat tabel x (id integer);\n`,
      '005_e.up.sql': create('e'),
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /^error: 004_d\.up\.sql:3(:\d+)?: migration 4 up failed.*syntax error.*rolled back/m,
    );
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await history()).toEqual(['up 1', 'up 2', 'up 3']);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
    expect(await tableExists(ctx.database, 'd')).toBe(false);
    expect(await tableExists(ctx.database, 'e')).toBe(false);
  });

  it('a script that changes the session (search_path, time zone, date style, a function shadowing clock_timestamp) neither breaks its rows nor reaches the next step', async () => {
    const pgOnly =
      ctx.dialect === 'postgres'
        ? `create schema shadow;
create function shadow.clock_timestamp() returns timestamptz language sql as $$ select timestamptz '2000-01-01' $$;
set search_path = shadow, pg_catalog;
set timezone = 'Pacific/Chatham';
set datestyle = 'SQL, DMY';
`
        : '';
    const dir = folder({
      '001_a.up.sql': `${create('a')}${pgOnly}`,
      '002_b.up.sql': create('b'),
      '003_c.up.sql': create('c'),
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect(await versions()).toEqual([1, 2, 3]);
    const rows = await ctx.database.query<{ version: unknown; execution_ms: unknown }>(
      'select version, execution_ms from schema_migrations order by version',
    );
    // Times measured by the server from each step's BEGIN: whole, not negative, not years.
    for (const row of rows) {
      expect(Number(row.execution_ms)).toBeGreaterThanOrEqual(0);
      expect(Number(row.execution_ms)).toBeLessThan(60_000);
    }
    // 002's table went to the default schema: 001's search_path stayed with 001.
    if (ctx.dialect === 'postgres') {
      const [b] = await ctx.database.query<{ schema: string }>(
        "select table_schema as schema from information_schema.tables where table_name = 'b'",
      );
      expect(b?.schema).toBe('public');
    }
  });

  it('PostgreSQL: a script ending in SET ROLE to a role that may not write the tracking tables: its rows are written, the next step runs as before', async () => {
    if (ctx.dialect !== 'postgres') return;
    const role = `kmigrate_batch_${Math.random().toString(36).slice(2, 10)}`;
    const dir = folder({
      '001_a.up.sql': `${create('a')}create role ${role} nologin;\nset role ${role};\n`,
      '002_b.up.sql': `${create('b')}insert into b select 1 where current_user <> '${role}';\n`,
      '003_c.up.sql': create('c'),
    });
    try {
      const run = await cli(dir, 'latest');
      expect(run.code, run.stderr).toBe(0);
      expect(await versions()).toEqual([1, 2, 3]);
      expect(await ctx.database.query('select id from b')).toEqual([{ id: 1 }]);
    } finally {
      await ctx.database.query(`drop role if exists ${role}`);
    }
  });

  it('PostgreSQL: a script with RESET ALL is refused and rolled back, on its own or sent with others, naming RESET ALL', async () => {
    if (ctx.dialect !== 'postgres') return;
    for (const files of [
      { '001_a.up.sql': `${create('a')}set search_path = public;\nreset all;\n` } as Record<string, string>,
      {
        '001_a.up.sql': `${create('a')}set search_path = public;\nreset all;\n`,
        '002_b.up.sql': create('b'),
      },
    ]) {
      const run = await cli(folder(files), 'latest');
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /^error: 001_a\.up\.sql: migration 1 up failed: .*RESET ALL.*reset what it changed by name instead.*; it was rolled back and nothing after it ran/m,
      );
      expect(await versions()).toEqual([]);
      expect(await tableExists(ctx.database, 'a')).toBe(false);
      expect(await tableExists(ctx.database, 'b')).toBe(false);
    }
  });

  it('down: three steps reverted together, each with its own history row', async () => {
    const dir = folder(
      Object.fromEntries(
        ['a', 'b', 'c'].flatMap((t, i) => [
          [`00${i + 1}_${t}.up.sql`, create(t)],
          [`00${i + 1}_${t}.down.sql`, `drop table ${t};\n`],
        ]),
      ),
    );
    expect((await cli(dir, 'latest')).code).toBe(0);
    const run = await cli(dir, 'to', '0', '--yes');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/reverted\s+3_c\b[\s\S]*reverted\s+2_b\b[\s\S]*reverted\s+1_a\b/);
    expect(await versions()).toEqual([]);
    expect(await history()).toEqual(['up 1', 'up 2', 'up 3', 'down 3', 'down 2', 'down 1']);
    for (const t of ['a', 'b', 'c']) expect(await tableExists(ctx.database, t)).toBe(false);
  });

  it('PostgreSQL: a step behind another session’s table lock is retried on its own after the ones before it committed; the run completes once the lock goes', async () => {
    if (ctx.dialect !== 'postgres') return;
    const base = { '001_a.up.sql': create('a') };
    expect((await cli(folder(base), 'latest')).code).toBe(0);
    const { release } = await holdTableLock(ctx.database.url, 'a');
    cleanups.push(release);
    const dir = folder({
      ...base,
      '002_b.up.sql': create('b'),
      '003_note.up.sql': 'alter table a add column note text;\n',
      '004_d.up.sql': create('d'),
    });
    const timer = setTimeout(() => void release(), 600);
    cleanups.push(() => clearTimeout(timer));
    const retries: number[] = [];
    const results = await migrateToLatest(ctx.database.url, {
      config: { migrationsDir: dir, statementLockTimeoutMs: 200, lockRetries: 8 },
      onEvent: (event) => {
        if (event.type === 'retry') retries.push(event.version);
      },
    });
    expect(results.map((r) => [r.version, r.status])).toEqual([2, 3, 4].map((v) => [v, 'applied']));
    expect(retries.length).toBeGreaterThan(0);
    expect(new Set(retries)).toEqual(new Set([3]));
    expect(await versions()).toEqual([1, 2, 3, 4]);
    expect(await history()).toEqual(['up 1', 'up 2', 'up 3', 'up 4']);
  }, 60_000);

  it('PostgreSQL: the session lost in the middle: exit 4, nothing claimed that was not confirmed, rows and schema agree', async () => {
    if (ctx.dialect !== 'postgres') return;
    const dir = folder({
      '001_a.up.sql': create('a'),
      '002_killed.up.sql': `${create('b')}select pg_terminate_backend(pg_backend_pid());\n`,
      '003_c.up.sql': create('c'),
    });
    const run = await runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'], {});
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).not.toMatch(/Unhandled|\n\s+at /);
    const lines = run.stderr.split('\n').filter((l) => l.trim());
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: the connection was lost while migrations 1 to 3 ran .*which of them committed is not known here: run `.*status` to see/,
    );
    expect(run.stdout).not.toMatch(/applied\s+[123]_/);
    // What the database has: 001 committed before 002 killed its session; 002 rolled back with it.
    expect(await versions()).toEqual([1]);
    expect(await tableExists(ctx.database, 'a')).toBe(true);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
  }, 60_000);
});
