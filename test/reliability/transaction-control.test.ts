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
    ['SAVEPOINT', 'create table b (id integer);\nsavepoint s1;\ncreate table c (id integer);\n', 2],
    ['END', 'create table b (id integer);\nend;\ncreate table c (id integer);\n', 2],
    ['a BEGIN left open', 'create table b (id integer);\nbegin;\ncreate table c (id integer);\n', 2],
    [
      'a ROLLBACK closing a block',
      'begin;\ncreate table b (id integer);\nrollback;\ncreate table c (id integer);\n',
      3,
    ],
  ])(
    '%s outside a block of the file’s own is refused at validation (exit 2, file:line)',
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

  it('complete BEGIN … COMMIT blocks of the file’s own run outside our transaction, as written (golang-migrate folders)', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      // ente-io/ente's shape: statements, then blocks.
      '002_blocks.up.sql':
        'create table b (id integer);\nBEGIN;\ncreate table c (id integer);\nCOMMIT;\n\nBEGIN;\ninsert into c values (1);\nCOMMIT;\n',
      '003_tail.up.sql': 'begin;\ncreate table d (id integer);\ncommit;\ncreate table e (id integer);',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    for (const table of ['a', 'b', 'c', 'd', 'e']) expect(await tableExists(ctx.database, table)).toBe(true);
    expect((await ctx.database.query<{ id: number }>('select id from c')).map((r) => Number(r.id))).toEqual([
      1,
    ]);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    const details = await ctx.database.query<{ version: unknown; details: string | null }>(
      "select version, details from schema_migrations_history where action = 'up' order by id",
    );
    expect(details.map((d) => [Number(d.version), d.details])).toEqual([
      [1, null],
      [2, 'no transaction'],
      [3, 'no transaction'],
    ]);
  });

  it('a failure inside a block of the file’s own: that block rolled back, what it committed before kept, dirty (exit 1, then 4)', async () => {
    const dir = folder({
      '001_blocks.up.sql':
        'create table b (id integer);\nBEGIN;\ncreate table c (id integer);\ninsert into nowhere values (1);\nCOMMIT;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/001_blocks\.up\.sql:4/);
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    // The block was ended before the error was recorded: the row says what happened.
    const rows = await ctx.database.query<{ state: string; error: string | null }>(
      'select state, error from schema_migrations',
    );
    expect(rows.map((r) => r.state)).toEqual(['running']);
    expect(rows[0]!.error).toMatch(/nowhere/);
    // The attempt is in the audit trail, and so is what `force` later resolved.
    const trail = async () =>
      ctx.database.query<{ action: string; details: string | null }>(
        'select action, details from schema_migrations_history order by id',
      );
    expect((await trail()).map((h) => h.action)).toEqual(['up-failed']);
    expect((await trail())[0]!.details).toMatch(/nowhere/);
    expect((await cli(dir, 'latest')).code).toBe(4);
    expect((await cli(dir, 'force', '1', '--not-applied', '--yes')).code).toBe(0);
    const forced = (await trail())[1]!;
    expect(forced.action).toBe('force-not-applied');
    expect(forced.details).toMatch(/^was running: .*nowhere/);
  });

  it('a statement that cannot run in a transaction, inside a block of the file: refused before anything runs (exit 2)', async () => {
    const statement = ctx.dialect === 'postgres' ? 'create index concurrently b_id on b (id)' : 'vacuum';
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_wrapped.up.sql': `create table b (id integer);\nBEGIN;\n${statement};\nCOMMIT;\n`,
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: 002_wrapped\.up\.sql:3: .*cannot run inside a transaction block/);
    expect(run.stderr).toMatch(/remove the BEGIN and COMMIT/);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
  });

  it('a BEGIN with modes is not unwrapped into ours: PostgreSQL keeps ISOLATION LEVEL SERIALIZABLE, SQLite runs BEGIN IMMEDIATE', async () => {
    const text =
      ctx.dialect === 'postgres'
        ? "BEGIN ISOLATION LEVEL SERIALIZABLE;\ncreate table iso as select current_setting('transaction_isolation') as level;\nCOMMIT;\n"
        : "BEGIN IMMEDIATE;\ncreate table iso as select 'serializable' as level;\nCOMMIT;\n";
    const run = await cli(folder({ '001_iso.up.sql': text }), 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect(await ctx.database.query<{ level: string }>('select level from iso')).toEqual([
      { level: 'serializable' },
    ]);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
  });

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

  it('db.startTransaction() in a TS step is refused the same way, and the message names that call', async () => {
    const dir = folder({
      '001_started.ts': `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  const trx = await db.startTransaction().execute();
  await trx.commit().execute();
}
`,
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/001_started\.ts called db\.startTransaction\(\) inside a migration/);
    expect(await trackingRows(ctx.database)).toEqual([]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
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
