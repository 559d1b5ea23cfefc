import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

const PG_ONLY_UP =
  '-- kmigrate:dialects postgres\ncreate table pg_only (id bigint primary key, tags text[] not null);\n';
const PG_ONLY_DOWN = '-- kmigrate:dialects postgres\ndrop table pg_only;\n';
const SQLITE_ONLY = `export const dialects = ['sqlite'];
export async function up(db) {
  await db.schema.createTable('lite_only').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}
export async function down(db) {
  await db.schema.dropTable('lite_only').execute();
}
`;
const BOTH = `export async function up(db) {
  await db.schema.createTable('shared').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}
export async function down(db) {
  await db.schema.dropTable('shared').execute();
}
`;

function files(): Record<string, string> {
  return {
    '001_shared.ts': BOTH,
    '002_pg_only.up.sql': PG_ONLY_UP,
    '002_pg_only.down.sql': PG_ONLY_DOWN,
    '003_lite_only.ts': SQLITE_ONLY,
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachDialect('a migration for one dialect only', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('runs on its dialect; on the other it is recorded with its checksum, not run, and status says why', async () => {
    const dir = folder(files());
    const run = await cli(dir, '--json', 'latest');
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const other = ctx.dialect === 'sqlite' ? 'pg_only' : 'lite_only';
    const skippedVersion = ctx.dialect === 'sqlite' ? 2 : 3;
    const results = (
      JSON.parse(run.stdout) as { results: { version: number; status: string; note?: string }[] }
    ).results;
    expect(results.map((r) => [r.version, r.status, r.note ?? null])).toEqual(
      [1, 2, 3].map((v) => [
        v,
        'applied',
        v === skippedVersion
          ? `${ctx.dialect === 'sqlite' ? 'postgres' : 'sqlite'} only: recorded, not run, on ${ctx.dialect}`
          : null,
      ]),
    );

    // One history on every dialect: the same versions and checksums, the skipped one included.
    expect(await trackingRows(ctx.database)).toEqual([
      { version: 1, name: 'shared', state: 'applied', checksum: sha(BOTH) },
      { version: 2, name: 'pg_only', state: 'applied', checksum: sha(PG_ONLY_UP) },
      { version: 3, name: 'lite_only', state: 'applied', checksum: sha(SQLITE_ONLY) },
    ]);
    expect(await tableExists(ctx.database, 'shared')).toBe(true);
    expect(await tableExists(ctx.database, other)).toBe(false);
    expect(await tableExists(ctx.database, ctx.dialect === 'sqlite' ? 'lite_only' : 'pg_only')).toBe(true);
    const history = await ctx.database.query<{ version: number | string; details: string | null }>(
      `select version, details from schema_migrations_history where action = 'up' order by version`,
    );
    expect(history.map((h) => [Number(h.version), h.details])).toEqual([
      [1, null],
      [2, skippedVersion === 2 ? results[1]!.note : null],
      [3, skippedVersion === 3 ? results[2]!.note : null],
    ]);

    const status = await cli(dir, 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${skippedVersion}_${other}: ${results[skippedVersion - 1]!.note}`);
    const json = await cli(dir, '--json', 'status');
    const entries = (
      JSON.parse(json.stdout) as { entries: { version: number; state: string; note?: string }[] }
    ).entries;
    expect(entries.map((e) => [e.version, e.state, e.note ?? null])).toEqual(
      results.map((r) => [r.version, 'applied', r.note ?? null]),
    );

    // Down: the skipped one's row goes, its down is not run either (its table never existed here).
    const down = await cli(dir, '--yes', 'to', '0');
    expect(down.stderr).not.toMatch(/error/);
    expect(down.code).toBe(0);
    expect(await trackingRows(ctx.database)).toEqual([]);
    expect(await tableExists(ctx.database, 'shared')).toBe(false);
  });

  it('drift and verify agree: the skipped migration is skipped on the scratch database too', async () => {
    const dir = folder(files());
    expect((await cli(dir, 'latest')).code).toBe(0);
    const drift = await cli(dir, '--json', 'drift');
    expect(drift.code).toBe(0);
    expect(JSON.parse(drift.stdout)).toMatchObject({ drift: false, appliedVersions: [1, 2, 3] });
    const verify = await cli(dir, 'verify');
    expect(verify.code).toBe(0);
    const skippedName = ctx.dialect === 'sqlite' ? '2_pg_only' : '3_lite_only';
    expect(verify.stdout).toMatch(new RegExp(`not for this dialect \\(recorded, not run\\) ${skippedName}`));
  });
});

describe('dialect markers are validated before anything runs', () => {
  it('an unknown dialect name, two marker lines, or a dialects export kmigrate cannot read: exit 2 naming the file', async () => {
    for (const [file, text, message] of [
      [
        '001_a.up.sql',
        '-- kmigrate:dialects postgress\nselect 1;\n',
        /001_a\.up\.sql: names an unknown dialect "postgress"/,
      ],
      [
        '001_a.up.sql',
        '-- kmigrate:dialects postgres\n-- kmigrate:dialects sqlite\nselect 1;\n',
        /001_a\.up\.sql: has more than one `-- kmigrate:dialects` line/,
      ],
      [
        '001_a.ts',
        "const d = ['postgres'];\nexport const dialects = d;\nexport async function up() {}\n",
        /001_a\.ts: exports `dialects` in a form kmigrate cannot read without running it/,
      ],
    ] as const) {
      const dir = folder({ [file]: text });
      const run = await runCliInProcess(['--url', 'sqlite::memory:', '--dir', dir, 'latest']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('codegen --parity reports the tables only one dialect has', async () => {
    const dir = folder(files());
    const root = path.dirname(dir);
    fs.writeFileSync(path.join(root, 'kysely.config.ts'), 'export default {};\n');
    const { inject } = await import('vitest');
    const run = await runCliInProcess(['--json', 'codegen', '--parity'], {
      cwd: root,
      env: { KMIGRATE_CODEGEN_DATABASE_URL: inject('pgAdminUrl') },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as {
      differences: { table: string; column: string | null; sqlite: string | null; postgres: string | null }[];
    };
    expect(report.differences.filter((d) => d.column === null)).toEqual([
      { table: 'lite_only', column: null, sqlite: 'table', postgres: null },
      { table: 'pg_only', column: null, sqlite: null, postgres: 'table' },
    ]);
  }, 120_000);
});
