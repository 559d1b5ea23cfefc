import { expect, it } from 'vitest';
import { runCliProcess } from '../support/cli.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 item 10: the server ends the migrator's session mid-step
 * (pg_terminate_backend, as a restart or a DBA would). One line, exit 1, the
 * state explained; never an `Unhandled 'error' event` with a stack trace.
 */
const folder = migrationFolders();

const terminated = (transactional: boolean) => `import type { Kysely } from 'kysely';
${transactional ? '' : 'export const transaction = false;\n'}export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('b').addColumn('id', 'integer').execute();
  await db.selectNoFrom((eb) => eb.fn('pg_terminate_backend', [eb.fn('pg_backend_pid', [])]).as('x')).execute();
}
`;

for (const transactional of [true, false]) {
  it(`PostgreSQL: the session is terminated during a ${transactional ? 'transactional' : 'non-transactional'} step`, async () => {
    const database = await createPostgresDatabase();
    try {
      const dir = folder({ '001_a.ts': tableModule('a'), '002_killed.ts': terminated(transactional) });
      const run = await runCliProcess(['--url', database.url, '--dir', dir, 'latest', '--no-codegen']);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).not.toMatch(/Unhandled|\n\s+at /);
      const lines = run.stderr.split('\n').filter((l) => l.trim());
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: 002_killed\.ts: migration 2 up failed.*terminat/);
      const rows = (await trackingRows(database)).map((r) => [r.version, r.state]);
      if (transactional) {
        expect(lines[0]).toMatch(/rolled back/);
        expect(rows).toEqual([[1, 'applied']]);
        expect(await tableExists(database, 'b')).toBe(false);
      } else {
        expect(lines[0]).toMatch(/dirty at 2/);
        expect(rows).toEqual([
          [1, 'applied'],
          [2, 'running'],
        ]);
      }
    } finally {
      await database.drop();
    }
  }, 120_000);
}
