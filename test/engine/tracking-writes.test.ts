import { expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { Migrator } from '../../src/engine/migrator.ts';
import { FileMigrationProvider } from '../../src/sources/file-migration-provider.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableModule, writeMigrationFolder } from '../support/migration-folder.ts';

// Tracking-row writes share the COMMIT's round trip on PostgreSQL, with their values inlined as
// literals: quotes, backslashes, dollar signs and placeholders-lookalikes must arrive unchanged.
const TRICKY = `o'brien\\ "$1" $$ $tag$ ; -- not a comment`;

describeEachDialect('tracking-row writes', (ctx) => {
  it('store exactly what the engine wrote, for up and down', async () => {
    const folder = writeMigrationFolder({
      '001_a.ts': tableModule('a'),
      '002_b.up.sql': 'create table b (id int);',
      '002_b.down.sql': 'drop table b;',
    });
    const open = await openDatabase(parseDatabaseUrl(ctx.database.url));
    try {
      const migrator = new Migrator({
        db: open.db,
        adapter: open.adapter,
        sources: () => new FileMigrationProvider({ migrationFolder: folder.dir }).loadSources(),
        appliedBy: TRICKY,
      });
      await migrator.latest();
      await migrator.down();
      const rows = await ctx.database.query<{ version: number; applied_by: string }>(
        'select version, applied_by from schema_migrations order by version',
      );
      expect(rows.map((r) => [Number(r.version), r.applied_by])).toEqual([[1, TRICKY]]);
      const history = await ctx.database.query<{ action: string; performed_by: string; version: number }>(
        'select version, action, performed_by from schema_migrations_history order by id',
      );
      expect(history.map((h) => [Number(h.version), h.action, h.performed_by])).toEqual([
        [1, 'up', TRICKY],
        [2, 'up', TRICKY],
        [2, 'down', TRICKY],
      ]);
    } finally {
      await open.close();
      folder.cleanup();
    }
  });
});
