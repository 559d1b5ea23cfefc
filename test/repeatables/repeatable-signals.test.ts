import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { spawnCli, stderrLines, stopWith, waitUntil } from '../reliability/support/signal-process.ts';
import { runCliProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();
const markers: string[] = [];
afterEach(() => {
  for (const m of markers.splice(0)) fs.rmSync(m, { force: true });
});

/** A repeatable that creates a table, says it started, then sleeps (on the server on PostgreSQL). */
function slowRepeatable(marker: string, postgres: boolean): string {
  const wait = postgres
    ? `db.selectNoFrom((eb) => eb.fn('pg_sleep', [eb.val(60)]).as('x')).execute()`
    : 'new Promise((resolve) => setTimeout(resolve, 60_000))';
  return `import fs from 'node:fs';
import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('made_by_repeatable').addColumn('id', 'integer').execute();
  fs.writeFileSync(${JSON.stringify(marker)}, 'started');
  await ${wait};
}
`;
}

describeEachDialect('a signal while a repeatable runs', (ctx) => {
  it('SIGINT: its statement cancelled, its transaction rolled back, no row, the versioned step kept; exit 130, one line', async () => {
    const postgres = ctx.dialect === 'postgres';
    const started = path.join(os.tmpdir(), `kmigrate-repeatable-signal-${process.pid}-${Date.now()}`);
    markers.push(started);
    const dir = folder({
      '001_users.up.sql': 'create table users (id integer primary key);\n',
      '001_users.down.sql': 'drop table users;\n',
      'R__slow.ts': slowRepeatable(started, postgres),
    });
    const p = spawnCli(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    await waitUntil(
      () => fs.existsSync(started),
      () => `the repeatable to start (stderr: ${p.stderr()})`,
    );
    if (postgres)
      await waitUntil(
        async () =>
          (
            await ctx.database.query(
              "select 1 from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()",
            )
          ).length > 0,
        'pg_sleep on the server',
      );
    const exit = await stopWith(p, 'SIGINT');
    expect(exit.code, p.stderr()).toBe(130);
    const lines = stderrLines(p);
    expect(lines, p.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: R__slow\.ts: interrupted by SIGINT while repeatable migration R__slow ran: its statement was cancelled and its transaction rolled back, so it is not applied \(its row is unchanged\); run `.*latest` to continue$/,
    );
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(ctx.database, 'made_by_repeatable')).toBe(false);
    expect(await ctx.database.query('select name from schema_migrations_repeatables')).toEqual([]);
  }, 120_000);
});

describeEachDialect('process.exit() inside a repeatable', (ctx) => {
  it('exit 1, one line naming it, its transaction rolled back: no table, no row; the versioned step kept', async () => {
    const dir = folder({
      '001_users.up.sql': 'create table users (id integer primary key);\n',
      'R__quits.ts': `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('made_by_repeatable').addColumn('id', 'integer').execute();
  process.exit(0);
}
`,
    });
    const run = await runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen']);
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l.trim());
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: R__quits\.ts: the process ended \(process\.exit\(\) or a crash\) while repeatable migration R__quits ran; its transaction was rolled back, so it is not applied \(its row is unchanged\)/,
    );
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(ctx.database, 'made_by_repeatable')).toBe(false);
    const rows = await ctx.database.query('select name from schema_migrations_repeatables').catch(() => []);
    expect(rows).toEqual([]);
  }, 120_000);
});
