import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 8: a step that never settles is bounded by stepTimeoutMs
 * (--step-timeout): exit 1, one line naming the migration, rolled back (or
 * dirty when non-transactional), and no lock left behind.
 */
const folder = migrationFolders();

const hanging = (transactional: boolean) => `import type { Kysely } from 'kysely';
${transactional ? '' : 'export const transaction = false;\n'}export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  await new Promise(() => undefined);
}
`;

describeEachDialect('hung steps', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('a transactional step that never settles fails after --step-timeout and is rolled back', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_hangs.ts': hanging(true),
      '003_c.ts': tableModule('c'),
    });
    const run = await cli(dir, 'latest', '--step-timeout', '500');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error: 002_hangs\.ts: migration 2 up failed.*did not finish within 500 ms.*rolled back/,
    );
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);
    expect(await tableExists(ctx.database, 'c')).toBe(false);
    // The lock is free: the next run (with the step fixed) goes through at once.
    const fixed = folder({
      '001_a.ts': tableModule('a'),
      '002_hangs.ts': tableModule('b'),
      '003_c.ts': tableModule('c'),
    });
    const next = await cli(fixed, 'latest', '--lock-timeout', '2000');
    expect(next.code, next.stderr).toBe(0);
  });

  it('a non-transactional step that never settles is recorded dirty', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_hangs.ts': hanging(false) });
    const run = await cli(dir, 'latest', '--step-timeout', '500');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /002_hangs\.ts: migration 2 up failed.*did not finish within 500 ms.*dirty at 2/,
    );
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'running'],
    ]);
  });

  if (ctx.dialect === 'postgres') {
    it('the step transaction carries idle_in_transaction_session_timeout, so the server frees an abandoned step', async () => {
      const dir = folder({
        '001_probe.ts': `import { type Kysely, sql } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ v: string }>\`select current_setting('idle_in_transaction_session_timeout') as v\`.execute(db);
  await sql.raw(\`create table probe_\${rows[0]!.v.replace(/\\W/g, '_')} (id integer)\`).execute(db);
}
`,
      });
      const run = await cli(dir, 'latest', '--step-timeout', '7000');
      expect(run.code, run.stderr).toBe(0);
      expect(await tableExists(ctx.database, 'probe_7s')).toBe(true);
    });
  }
});
