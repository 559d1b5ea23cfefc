import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

const five = () => ({
  '001_a.ts': tableModule('a'),
  '002_b.ts': tableModule('b'),
  '003_c.up.sql':
    'create table c (id integer primary key);\ncreate index c_idx on c (id);\n\ninsert into no_such_table values (1);\n',
  '003_c.down.sql': 'drop table c;\n',
  '004_d.ts': tableModule('d'),
  '005_e.ts': tableModule('e'),
});

describeEachDialect('CLI run semantics', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('latest twice: the second run is a no-op (one history row per migration)', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
    const first = await cli(dir, 'latest');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied\s+1_a/);
    const second = await cli(dir, 'latest');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Nothing to apply/);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    const history = await ctx.database.query<{ action: string }>(
      'select action from schema_migrations_history',
    );
    expect(history.map((h) => h.action)).toEqual(['up', 'up']);
  });

  it('migration 3 of 5 fails: 1 and 2 stay applied, 3 is not, none of its objects exist, 4 and 5 never ran', async () => {
    const dir = folder(five());
    const run = await cli(dir, 'latest');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: 003_c\.up\.sql:4(:\d+)?: migration 3 up failed in `insert into no_such_table/m,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    expect(await tableExists(ctx.database, 'd')).toBe(false);
  });

  it('--verbose adds the stack trace', async () => {
    const dir = folder(five());
    const run = await cli(dir, 'latest', '--verbose');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('a failed non-transactional migration leaves the database dirty; everything but status/force refuses (4); force clears it', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_nt.up.sql':
        '-- migrate:no-transaction\ncreate table nt (id integer);\ninsert into missing_table values (1);\n',
      '002_nt.down.sql': 'drop table nt;\n',
      '003_c.ts': tableModule('c'),
    });
    const run = await cli(dir, 'latest');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dirty at 2/);
    const rows = await trackingRows(ctx.database);
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
    expect(await tableExists(ctx.database, 'nt')).toBe(true);

    for (const args of [['latest'], ['up'], ['down', '--yes'], ['to', '3'], ['redo', '--yes']]) {
      const refused = await cli(dir, ...args);
      expect(refused.code, args.join(' ')).toBe(4);
      expect(refused.stderr).toMatch(/dirty at migration 2_nt.*force 2/);
    }
    const status = await cli(dir, 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/2\s+nt\s+dirty/);

    // The human finished the change by hand: mark it applied; the rest then runs.
    await ctx.database.query('insert into nt values (1)');
    const forced = await cli(dir, 'force', '2');
    expect(forced.code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
    const actions = await ctx.database.query<{ action: string }>(
      'select action from schema_migrations_history order by id',
    );
    // The failed attempt is audited before the force that resolved it.
    expect(actions.map((a) => a.action)).toEqual(['up', 'up-failed', 'force', 'up']);
  });

  it('force --not-applied forgets a dirty row so the migration runs again', async () => {
    const dir = folder({
      '001_nt.up.sql':
        '-- migrate:no-transaction\ncreate table nt (id integer);\nselect * from missing_table;\n',
      '001_nt.down.sql': 'drop table nt;\n',
    });
    expect((await cli(dir, 'latest')).code).toBe(1);
    await ctx.database.query('drop table nt');
    expect((await cli(dir, 'force', '1', '--not-applied')).code).toBe(0);
    expect(await trackingRows(ctx.database)).toEqual([]);
    fs.writeFileSync(
      path.join(dir, '001_nt.up.sql'),
      '-- migrate:no-transaction\ncreate table nt (id integer);\n',
    );
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
  });

  it('a changed checksum is refused (4) until repair; a change of line endings only is accepted', async () => {
    const dir = folder({
      '001_a.up.sql': 'create table a (id integer);\n-- note\n',
      '001_a.down.sql': 'drop table a;\n',
      '002_b.ts': tableModule('b'),
    });
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    const file = path.join(dir, '001_a.up.sql');
    fs.writeFileSync(file, '\uFEFFcreate table a (id integer);\r\n-- note\r\n');
    const crlf = await cli(dir, 'latest');
    expect(crlf.code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);

    fs.writeFileSync(file, 'create table a (id integer, extra text);\n');
    const changed = await cli(dir, 'latest');
    expect(changed.code).toBe(4);
    expect(changed.stderr).toMatch(/changed since applied: 1_a.*repair/);
    const status = await cli(dir, 'status');
    expect(status.stdout).toMatch(/1\s+a\s+changed/);
    const before = (await trackingRows(ctx.database))[0]!.checksum;
    expect((await cli(dir, 'repair')).code).toBe(0);
    expect((await trackingRows(ctx.database))[0]!.checksum).not.toBe(before);
    expect((await cli(dir, 'latest')).code).toBe(0);
  });

  // A deleted file in the middle of the history blocks the run; one newer than every file is
  // "ahead" (a rolling deploy's old release) and is covered by the rolling-deploy tests.
  it('a deleted applied migration blocks the run until repair --forget-missing', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_b.ts': tableModule('b'),
      '003_c.ts': tableModule('c'),
    });
    expect((await cli(dir, 'latest')).code).toBe(0);
    fs.rmSync(path.join(dir, '002_b.ts'));
    const run = await cli(dir, 'latest');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/applied but file missing: 2_b/);
    expect((await cli(dir, 'repair')).code).toBe(0);
    expect((await cli(dir, 'latest')).code).toBe(4);
    expect((await cli(dir, 'repair', '--forget-missing')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 3]);
  });

  it('out of order: refused with an explanation, applied with --allow-out-of-order', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '003_c.ts': tableModule('c') });
    expect((await cli(dir, 'latest')).code).toBe(0);
    fs.writeFileSync(path.join(dir, '002_b.ts'), tableModule('b'));
    const refused = await cli(dir, 'latest');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /pending 2_b is older than the newest applied migration 3.*--allow-out-of-order/,
    );
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    const status = await cli(dir, 'status');
    expect(status.stdout).toMatch(/2\s+b\s+out-of-order/);
    expect((await cli(dir, 'latest', '--allow-out-of-order')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('a missing down step is refused before anything changes', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_no_down.up.sql': 'create table nd (id integer);\n',
      '003_c.ts': tableModule('c'),
    });
    expect((await cli(dir, 'latest')).code).toBe(0);
    const run = await cli(dir, 'down', '--step', '2', '--yes');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/002_no_down\.up\.sql: migration 2 has no down step/);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
  });

  it('down, to and redo move the schema and the rows', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_b.ts': tableModule('b'),
      '003_c.ts': tableModule('c'),
    });
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await cli(dir, 'down', '--yes')).code).toBe(0);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect((await cli(dir, 'to', '3')).code).toBe(0);
    expect((await cli(dir, 'to', '1', '--yes')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect((await cli(dir, 'redo', '--yes')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    expect((await cli(dir, 'to', '0', '--yes')).code).toBe(0);
    expect(await trackingRows(ctx.database)).toEqual([]);
    const unknown = await cli(dir, 'to', '7');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/version 7 is not a migration/);
  });

  it('--dry-run prints the plan and compiled SQL and changes nothing', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_b.up.sql': 'create table b (id integer);\n',
      '002_b.down.sql': 'drop table b;\n',
    });
    const run = await cli(dir, 'latest', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/create table "a"/);
    expect(run.stdout).toMatch(/create table b/);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    expect((await cli(dir, 'latest')).code).toBe(0);
    const down = await cli(dir, 'down', '--dry-run');
    expect(down.stdout).toMatch(/drop table/i);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    const json = await cli(dir, 'down', '--dry-run', '--json');
    expect(JSON.parse(json.stdout).steps[0].version).toBe(2);
  });

  it('--json gives machine-readable results on stdout', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    const run = await cli(dir, 'latest', '--json');
    const doc = JSON.parse(run.stdout);
    expect(doc.results).toEqual([
      expect.objectContaining({ version: 1, name: 'a', status: 'applied', direction: 'up' }),
    ]);
    const status = JSON.parse((await cli(dir, 'status', '--json')).stdout);
    expect(status.currentVersion).toBe(1);
    expect(status.entries[0].state).toBe('applied');
  });

  it('status --check: 3 with pending, 0 when up to date', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    expect((await cli(dir, 'status', '--check')).code).toBe(3);
    await cli(dir, 'latest');
    expect((await cli(dir, 'status', '--check')).code).toBe(0);
  });

  it('8 processes run latest at the same moment: each migration applied exactly once, all exit 0', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 6; i++) files[`00${i}_t${i}.ts`] = tableModule(`t${i}`);
    const dir = folder(files);
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest'])),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6]);
    const history = await ctx.database.query<{ n: number | string }>(
      "select count(*) as n from schema_migrations_history where action = 'up'",
    );
    expect(Number(history[0]!.n)).toBe(6);
  });
});

describeEachDialect('real-world SQL files', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('a file wrapped in BEGIN/COMMIT runs inside our transaction and still rolls back as a whole', async () => {
    const dir = folder({
      '001_wrapped.up.sql': 'BEGIN;\ncreate table w (id integer);\ninsert into w values (1);\nCOMMIT;\n',
      '001_wrapped.down.sql': 'BEGIN;\ndrop table w;\nCOMMIT;\n',
      '002_wrapped_fail.up.sql':
        'BEGIN;\ncreate table wf (id integer);\n\ninsert into nowhere values (1);\nCOMMIT;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/002_wrapped_fail\.up\.sql:4/);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    expect(await tableExists(ctx.database, 'w')).toBe(true);
    expect(await tableExists(ctx.database, 'wf')).toBe(false);
    expect((await cli(dir, 'down', '--yes')).code).toBe(0);
    expect(await tableExists(ctx.database, 'w')).toBe(false);
  });

  it('golang-migrate names: a pair whose descriptions differ, dots in a description; down runs the paired file', async () => {
    const dir = folder({
      // ente-io/ente pairs by version only; Harbor names files 0002_1.7.0_schema.up.sql.
      '0001_1.7.0_schema.up.sql': 'create table v (id integer);\n',
      '0001_1.7.0_schema.down.sql': 'drop table v;\n',
      '0030_add_magic_metadata.up.sql': 'create table m (id integer);\n',
      '0030_drop_magic_metadata.down.sql': 'drop table m;\n',
    });
    const up = await cli(dir, 'latest');
    expect(up.code, up.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name])).toEqual([
      [1, '1.7.0_schema'],
      [30, 'add_magic_metadata'],
    ]);
    expect(await tableExists(ctx.database, 'm')).toBe(true);
    const down = await cli(dir, 'down', '--yes');
    expect(down.code, down.stderr).toBe(0);
    expect(await tableExists(ctx.database, 'm')).toBe(false);
    expect(await tableExists(ctx.database, 'v')).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
  });

  it('plain .sql files (Supabase CLI, sqlx): each applied as an up with no down; down is refused, nothing changed', async () => {
    const dir = folder({
      '20240101120000_create_notes.sql': 'create table notes (id integer);\n',
      '20240102120000_add_title.sql':
        'alter table notes add column title text;\ninsert into notes (id) values (1);',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name, r.state])).toEqual([
      [20240101120000, 'create_notes', 'applied'],
      [20240102120000, 'add_title', 'applied'],
    ]);
    expect(Number((await ctx.database.query<{ n: unknown }>('select count(*) as n from notes'))[0]!.n)).toBe(
      1,
    );
    const down = await cli(dir, 'down', '--yes');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(
      /20240102120000_add_title\.sql.*no down.*a down section: `-- migrate:down`.*`-- \+goose Down`/,
    );
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([
      20240101120000, 20240102120000,
    ]);
    expect(await tableExists(ctx.database, 'notes')).toBe(true);
  });

  it('goose files: Up applied, Down rolled back; NO TRANSACTION runs outside a transaction', async () => {
    const dir = folder({
      '00001_users.sql':
        '-- +goose Up\n-- +goose StatementBegin\ncreate table users (id integer);\n-- +goose StatementEnd\n\n-- +goose Down\ndrop table users;\n',
      '00002_index.sql':
        '-- +goose NO TRANSACTION\n-- +goose Up\ncreate index users_id on users (id);\n-- +goose Down\ndrop index users_id;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name])).toEqual([
      [1, 'users'],
      [2, 'index'],
    ]);
    const details = await ctx.database.query<{ details: string | null }>(
      "select details from schema_migrations_history where action = 'up' order by id",
    );
    expect(details.map((d) => d.details)).toEqual([null, 'no transaction']);
    expect((await cli(dir, 'down', '--step', '2', '--yes')).code).toBe(0);
    expect(await tableExists(ctx.database, 'users')).toBe(false);
    expect(await trackingRows(ctx.database)).toEqual([]);
  });

  it('Kysely app names: a dash between version and description (immich’s 1744910873969-InitialMigration.ts)', async () => {
    const dir = folder({
      '1744910873969-InitialMigration.ts': tableModule('a'),
      '1744910873970-add-users.up.sql': 'create table users (id integer);\n',
      '1744910873970-add-users.down.sql': 'drop table users;\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code, run.stderr).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name])).toEqual([
      [1744910873969, 'InitialMigration'],
      [1744910873970, 'add-users'],
    ]);
    expect((await cli(dir, 'down', '--yes')).code).toBe(0);
    expect(await tableExists(ctx.database, 'users')).toBe(false);
    expect(await tableExists(ctx.database, 'a')).toBe(true);
  });

  it('comment-only files are applied as no-ops and recorded', async () => {
    const dir = folder({
      '001_note.up.sql': '-- nothing to do here\n/* really */\n',
      '002_a.ts': tableModule('a'),
    });
    expect((await cli(dir, 'latest')).code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
  });
});

describeEachDialect('concurrency with a non-transactional migration', (ctx) => {
  it('8 processes at once: a step in progress is waited for, never reported dirty; each applied once', async () => {
    // A non-transactional step that takes 5 s: the other processes reach it while its row is `running`.
    const slow = `import type { Kysely } from 'kysely';
export const transaction = false;
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('nt').addColumn('id', 'integer').execute();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await db.schema.createIndex('nt_idx').on('nt').column('id').execute();
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('nt').execute();
}
`;
    const dir = folder({ '001_a.ts': tableModule('a'), '002_nt.ts': slow, '003_c.ts': tableModule('c') });
    const first = runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest']);
    // Once the first one is inside the slow step, 7 more start in-process (no start-up delay).
    for (let i = 0; i < 300 && !(await tableExists(ctx.database, 'nt')); i++)
      await new Promise((r) => setTimeout(r, 50));
    const others = await Promise.all(
      Array.from({ length: 7 }, () => runCliInProcess(['--url', ctx.database.url, '--dir', dir, 'latest'])),
    );
    for (const r of [await first, ...others]) expect(r.code, r.stderr).toBe(0);
    expect(others.every((r) => /Nothing to apply|applied\s+3_c|skipped/.test(r.stdout))).toBe(true);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    const history = await ctx.database.query<{ n: number | string }>(
      "select count(*) as n from schema_migrations_history where action = 'up'",
    );
    expect(Number(history[0]!.n)).toBe(3);
  });
});
