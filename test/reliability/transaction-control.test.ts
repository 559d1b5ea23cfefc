import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 items 5 and 6: files that would commit part of a migration behind the
 * engine's back (COMMIT mid-file, a nested db.transaction(), a raw COMMIT in a
 * TS step) or that a driver silently truncates (a NUL byte). Each is refused
 * before anything runs, or the partial commit is recorded as dirty — never
 * reported as "rolled back".
 */
const folder = migrationFolders();

describeEachDialect('transaction control and NUL bytes', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  const history = async () =>
    (
      await ctx.database.query<{ version: unknown; action: string }>(
        'select version, action from schema_migrations_history order by id',
      )
    ).map((h) => `${Number(h.version)} ${h.action}`);

  it('a NUL byte in an SQL file is refused at validation with file:line:column (exit 2), nothing runs', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_nul.up.sql':
        'create table b (id integer);\ninsert into b values (1);\ninsert into b\u0000 values (2);\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: 002_nul\.up\.sql:3:14: contains a NUL byte/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
  });

  it.each([
    ['COMMIT', 'create table b (id integer);\ncommit;\ncreate table c (id integer);\n', 2],
    ['ROLLBACK', 'create table b (id integer);\n\nrollback;\n', 3],
    ['BEGIN', 'create table b (id integer);\nbegin;\ncreate table c (id integer);\ncommit;\n', 2],
    ['SAVEPOINT', 'create table b (id integer);\nsavepoint s1;\ncreate table c (id integer);\n', 2],
    ['END', 'create table b (id integer);\nend;\ncreate table c (id integer);\n', 2],
    [
      'a BEGIN whose COMMIT is not last',
      'begin;\ncreate table b (id integer);\ncommit;\ncreate table c (id integer);\n',
      1,
    ],
  ])(
    '%s in the middle of a transactional SQL file is refused at validation (exit 2, file:line)',
    async (_, text, line) => {
      const dir = folder({ '001_a.ts': tableModule('a'), '002_tc.up.sql': text });
      const run = await cli(dir, 'latest');
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: 002_tc\\.up\\.sql:${line}: .*transaction`));
      expect(run.stderr).toMatch(/migrate:no-transaction|remove it/);
      // Nothing ran: not even 001, and no tracking table.
      expect(await tableExists(ctx.database, 'a')).toBe(false);
      expect(await tableExists(ctx.database, 'b')).toBe(false);
      expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    },
  );

  it('the supported whole-file BEGIN/COMMIT wrapper still works', async () => {
    const dir = folder({
      '001_w.up.sql': 'BEGIN;\ncreate table b (id integer);\ncreate table c (id integer);\nCOMMIT;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
  });

  it('COMMIT text inside a string, a comment, a trigger or function body is not refused', async () => {
    const body =
      ctx.dialect === 'postgres'
        ? `create table b (id integer, note text);
insert into b values (1, 'commit; rollback;');
-- commit;
/* rollback; */
do $$ begin perform 1; /* commit; */ end $$;
create function f() returns integer language plpgsql as $fn$
begin
  -- commit;
  return 1;
end
$fn$;
create function g() returns integer language sql begin atomic select 1; end;
`
        : `create table b (id integer, note text);
insert into b values (1, 'commit; rollback;');
-- commit;
/* rollback; */
create trigger t after insert on b begin
  update b set note = 'end; commit;' where id = new.id;
end;
`;
    const dir = folder({ '001_b.up.sql': body });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
  });

  it('a non-transactional file may manage its own transactions', async () => {
    const dir = folder({
      '001_nt.up.sql':
        '-- migrate:no-transaction\ncreate table b (id integer);\nbegin;\ncreate table c (id integer);\ncommit;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
  });

  it('a nested db.transaction() in a TS step fails before it runs anything: the step is rolled back, no row', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_nested.ts': `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  await db.transaction().execute(async (trx) => {
    await trx.schema.createTable('c').addColumn('id', 'integer').execute();
  });
  await db.schema.createTable('d').addColumn('id', 'integer').execute();
}
`,
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/002_nested\.ts.*transaction\(\).*rolled back/);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    for (const t of ['b', 'c', 'd']) expect(await tableExists(ctx.database, t)).toBe(false);
    expect(await history()).toEqual(['1 up']);
  });

  it('a raw COMMIT inside a TS step: the partial commit is reported and recorded dirty, never "rolled back"', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_raw_commit.ts': `import { type Kysely, sql } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  await sql\`commit\`.execute(db);
  await db.schema.createTable('c').addColumn('id', 'integer').execute();
}
`,
      '003_c.ts': tableModule('x'),
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/rolled back/);
    expect(run.stderr).toMatch(/002_raw_commit\.ts.*dirty at 2/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // The database tells the same story: b (and c) were committed, 2 is dirty, 3 never ran.
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect(await tableExists(ctx.database, 'x')).toBe(false);
    const rows = await trackingRows(ctx.database);
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    const refused = await cli(dir, 'latest');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/dirty at migration 2/);
  });

  it('a raw COMMIT then a failure in a TS step is not reported as rolled back', async () => {
    const dir = folder({
      '001_fail.ts': `import { type Kysely, sql } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  await sql\`commit\`.execute(db);
  await sql\`insert into no_such_table values (1)\`.execute(db);
}
`,
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/rolled back/);
    expect(run.stderr).toMatch(/dirty at 1/);
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'running']]);
  });
});
