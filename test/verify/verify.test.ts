import { afterEach, describe, expect, it } from 'vitest';
import type { VerifyFinding } from '../../src/engine/verify.ts';
import {
  CREATE_ITEMS_TS,
  cli,
  plain,
  qualified,
  scratchDatabaseExists,
  scratchNameIn,
  secondMigration,
  tableNames,
} from '../drift/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders } from '../support/migration-folder.ts';
import { ensureSupabaseRoles } from '../support/supabase-shape.ts';

interface VerifyJson {
  ok: boolean;
  checked: number;
  total: number;
  findings: VerifyFinding[];
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const folderFor = migrationFolders();

/** 002 adds an index and a table; its down drops the table and forgets the index. */
const FORGETS_INDEX = {
  '002_add_label_search.up.sql':
    'create index items_label_search_idx on items (label, id);\ncreate table audit (id integer primary key, note text);\n',
  '002_add_label_search.down.sql': 'drop table audit;\n',
};

/** The live database has one table made by hand; verify must leave it exactly so. */
async function liveWithOneTable(database: TestDatabase): Promise<void> {
  await database.query('create table keep (id integer primary key)');
}

async function assertUntouched(database: TestDatabase): Promise<void> {
  expect(await tableNames(database)).toEqual(['keep']);
}

describeEachDialect('verify', (ctx) => {
  it('passes on a correct set (exit 0) and never touches the configured database', async () => {
    if (ctx.dialect === 'postgres') await ensureSupabaseRoles(ctx.database);
    await liveWithOneTable(ctx.database);
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      ...secondMigration(ctx.dialect),
      '003_note.up.sql':
        'alter table items add column note text;\ncreate index items_note_idx on items (note);\n',
      '003_note.down.sql': 'drop index items_note_idx;\nalter table items drop column note;\n',
    });
    const run = await cli(ctx.database, dir, ['verify']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = plain(run.stdout);
    expect(out).toMatch(/Verifying 3 migrations on .* \(up, down, up\):/);
    expect(out).toMatch(/✓ reverses +1_create_items/);
    expect(out).toMatch(/✓ reverses +2_owners_and_more/);
    expect(out).toMatch(/✓ reverses +3_note/);
    expect(out).toContain('All 3 migrations reverse.');

    const json = await cli(ctx.database, dir, ['--json', 'verify']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, checked: 3, total: 3, findings: [] });

    // The configured database: still only its own table, no tracking table, nothing applied.
    await assertUntouched(ctx.database);
    if (ctx.dialect === 'postgres') {
      const scratch = scratchNameIn(run.stdout);
      expect(scratch).toBeDefined();
      expect(await scratchDatabaseExists(ctx.database, scratch!)).toBe(false);
    } else {
      expect(out).toContain('a temporary SQLite file');
    }
  });

  it('catches a down that forgets an index: exit 3, naming the migration and the index', async () => {
    await liveWithOneTable(ctx.database);
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      ...FORGETS_INDEX,
      '003_more.up.sql': 'create table more (id integer primary key);\n',
      '003_more.down.sql': 'drop table more;\n',
    });
    const run = await cli(ctx.database, dir, ['verify']);
    expect(run.code).toBe(3);
    const out = plain(run.stdout);
    const index = qualified(ctx.dialect, 'items_label_search_idx');
    expect(out).toMatch(/✗ FAILS +2_add_label_search/);
    expect(out).toContain(
      '2_add_label_search does not reverse: after its down the schema differs from before its up (1 difference):',
    );
    expect(out).toContain(`+ index ${index} on ${qualified(ctx.dialect, 'items')} (left behind by the down)`);
    // It keeps going (on a fresh scratch database): the migration after it is checked too.
    expect(out).toMatch(/✓ reverses +3_more/);
    expect(out).toContain('verify found 1 problem.');

    const json = await cli(ctx.database, dir, ['--json', 'verify']);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as VerifyJson;
    expect(report).toMatchObject({ ok: false, checked: 3, total: 3 });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      kind: 'not-reversible',
      version: 2,
      name: 'add_label_search',
      differences: [{ change: 'added', kind: 'index', name: index }],
    });
    await assertUntouched(ctx.database);
  });

  it('reports every migration that does not reverse, not only the first; a changed view is a line diff', async () => {
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      ...FORGETS_INDEX,
      '003_view.up.sql': 'create view item_view as select id from items;\n',
      '003_view.down.sql': 'drop view item_view;\n',
      '004_wider_view.up.sql':
        'drop view item_view;\ncreate view item_view as select id, label from items;\n',
      // Restores another definition than 003's.
      '004_wider_view.down.sql':
        'drop view item_view;\ncreate view item_view as select id, owner_id from items;\n',
      '005_bad_down.up.sql': 'create table extra (id integer primary key);\n',
      '005_bad_down.down.sql': 'drop table no_such_table;\n',
      '006_more.up.sql': 'create table more (id integer primary key);\n',
      '006_more.down.sql': 'drop table more;\n',
    });
    const run = await cli(ctx.database, dir, ['verify']);
    expect(run.code).toBe(3);
    const out = plain(run.stdout);
    expect(out).toMatch(/✗ FAILS +2_add_label_search/);
    expect(out).toMatch(/✓ reverses +3_view/);
    expect(out).toMatch(/✗ FAILS +4_wider_view/);
    expect(out).toMatch(/✗ FAILS +5_bad_down/);
    expect(out).toMatch(/✓ reverses +6_more/);
    const view = qualified(ctx.dialect, 'item_view');
    expect(out).toContain(`~ view ${view}: definition changed:`);
    // The whole old and new lines, not two truncated strings.
    expect(out).toMatch(/^ {4}- .*select id/im);
    expect(out).toMatch(/^ {4}\+ .*owner_id/m);
    expect(out).toContain('verify found 3 problems.');
    const json = JSON.parse((await cli(ctx.database, dir, ['--json', 'verify'])).stdout) as VerifyJson;
    expect(json).toMatchObject({ ok: false, checked: 6, total: 6 });
    expect(json.findings.map((f) => [f.version, f.kind])).toEqual([
      [2, 'not-reversible'],
      [4, 'not-reversible'],
      [5, 'down-failed'],
    ]);
  });

  it('reports a migration without a down (exit 3) and still checks the others', async () => {
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      '002_no_way_back.up.sql': 'create table one_way (id integer primary key);\n',
      '003_more.up.sql': 'create table more (id integer primary key);\n',
      '003_more.down.sql': 'drop table more;\n',
    });
    const run = await cli(ctx.database, dir, ['--json', 'verify']);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as VerifyJson;
    expect(report).toMatchObject({ ok: false, checked: 3, total: 3 });
    expect(report.findings).toEqual([
      { kind: 'missing-down', version: 2, name: 'no_way_back', file: '002_no_way_back.up.sql' },
    ]);
    const text = plain((await cli(ctx.database, dir, ['verify'])).stdout);
    expect(text).toMatch(/! has no down +2_no_way_back/);
    expect(text).toMatch(/✓ reverses +3_more/);
    expect(text).toContain('2_no_way_back has no down (002_no_way_back.up.sql)');
  });

  it('reports a down that fails, with its file and the database message', async () => {
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      '002_bad_down.up.sql': 'create table extra (id integer primary key);\n',
      '002_bad_down.down.sql': 'drop table no_such_table;\n',
    });
    const run = await cli(ctx.database, dir, ['verify']);
    expect(run.code).toBe(3);
    expect(plain(run.stdout)).toMatch(
      /2_bad_down does not reverse: its down failed: 002_bad_down\.down\.sql(:1)?: .*no_such_table/,
    );
  });

  it('checks the files first: a duplicate version is exit 2 and no scratch database is made', async () => {
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      '001_again.up.sql': 'create table again (id integer);\n',
    });
    const run = await cli(ctx.database, dir, ['verify']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/duplicate version 1/);
    expect(run.stdout).toBe('');
  });
});

describe('verify --dialect', () => {
  it('--dialect sqlite with a PostgreSQL URL uses a temp SQLite file and leaves PostgreSQL alone', async () => {
    const database = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    await liveWithOneTable(database);
    const dir = folderFor({ '001_create_items.ts': CREATE_ITEMS_TS, ...secondMigration('sqlite') });
    const run = await cli(database, dir, ['verify', '--dialect', 'sqlite']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(plain(run.stdout)).toContain('on a temporary SQLite file');
    await assertUntouched(database);
  });

  it('--dialect postgres with a SQLite URL starts an embedded PostgreSQL 17', async () => {
    const database = await createTestDatabase('sqlite');
    cleanups.push(() => database.drop());
    await liveWithOneTable(database);
    const dir = folderFor({
      '001_create_items.ts': CREATE_ITEMS_TS,
      // Plain SQL that runs anywhere, plus a PostgreSQL-only object the down forgets.
      '002_enum.up.sql': `create type mood as enum ('ok');\n`,
      '002_enum.down.sql': 'select 1;\n',
    });
    const run = await cli(database, dir, ['--json', 'verify', '--dialect', 'postgres'], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
    });
    expect(run.stderr).toContain('on an embedded PostgreSQL 17');
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as VerifyJson & { dialect: string };
    expect(report.dialect).toBe('postgres');
    expect(report.findings[0]).toMatchObject({
      kind: 'not-reversible',
      version: 2,
      differences: [{ change: 'added', kind: 'enum', name: 'public.mood' }],
    });
    await assertUntouched(database);
  }, 180_000);
});
