import { expect, it } from 'vitest';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 4: a TS migration that calls process.exit() ends the run. That is a
 * failure: non-zero exit, one line naming the migration, and tracking rows that
 * tell the truth (transactional: rolled back, no row; non-transactional: dirty).
 */
const folder = migrationFolders();

const exiting = (transactional: boolean) => `import type { Kysely } from 'kysely';
${transactional ? '' : 'export const transaction = false;\n'}export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  process.exit(0);
}
`;

describeEachDialect('process.exit() inside a migration', (ctx) => {
  for (const transactional of [true, false]) {
    it(`${transactional ? 'transactional' : 'non-transactional'}: exit 1, one line naming it, truthful rows`, async () => {
      const dir = folder({
        '001_a.ts': tableModule('a'),
        '002_quits.ts': exiting(transactional),
        '003_c.ts': tableModule('c'),
      });
      const run = await runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen']);
      expect(run.code, run.stderr).toBe(1);
      const lines = run.stderr.split('\n').filter((l) => l.trim());
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^error: 002_quits\.ts: the process ended \(process\.exit\(\) or a crash\) while migration 2_quits ran up/,
      );
      expect(await tableExists(ctx.database, 'c')).toBe(false);
      const rows = (await trackingRows(ctx.database)).map((r) => [r.version, r.state]);
      if (transactional) {
        expect(lines[0]).toMatch(/rolled back/);
        expect(rows).toEqual([[1, 'applied']]);
        expect(await tableExists(ctx.database, 'b')).toBe(false);
      } else {
        expect(lines[0]).toMatch(/dirty at 2/);
        expect(rows).toEqual([
          [1, 'applied'],
          [2, 'running'],
        ]);
        const status = await runCliInProcess(['--url', ctx.database.url, '--dir', dir, 'status', '--check']);
        expect(status.code).toBe(4);
      }
    }, 120_000);
  }
});
