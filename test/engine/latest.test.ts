import { afterEach, expect, it } from 'vitest';
import { getStatus, migrateToLatest } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableExists, tableModule, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describeEachDialect('latest', (ctx) => {
  it('applies TS and SQL migrations once; the second run is a no-op', async () => {
    const folder = writeMigrationFolder({
      '001_create_a.ts': tableModule('a'),
      '002_create_b.up.sql':
        'create table b (id integer primary key);\n-- second statement\ncreate table b2 (id integer);\n',
      '002_create_b.down.sql': 'drop table b2;\ndrop table b;\n',
      'README.md': '# not a migration',
    });
    cleanups.push(folder.cleanup);
    const options = { config: { migrationsDir: folder.dir } };
    const first = await migrateToLatest(ctx.database.url, options);
    expect(first.map((r) => [r.version, r.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    const second = await migrateToLatest(ctx.database.url, options);
    expect(second).toEqual([]);
    const rows = await trackingRows(ctx.database);
    expect(rows.map((r) => [r.version, r.name, r.state])).toEqual([
      [1, 'create_a', 'applied'],
      [2, 'create_b', 'applied'],
    ]);
    expect(await tableExists(ctx.database, 'a')).toBe(true);
    expect(await tableExists(ctx.database, 'b2')).toBe(true);
    const status = await getStatus(ctx.database.url, options);
    expect(status.currentVersion).toBe(2);
    expect(status.entries.map((e) => e.state)).toEqual(['applied', 'applied']);
  });
});
