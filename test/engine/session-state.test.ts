import { expect, it } from 'vitest';
import { migrateToLatest } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

/**
 * #10.7: every step starts from the connection's default session state, so one
 * run of N equals N runs of 1. A migration's SET (PostgreSQL) or PRAGMA
 * (SQLite) must not reach the next migration, in a transaction or not.
 */
const folder = migrationFolders();

const POSTGRES = {
  '001_settings.up.sql': `create schema audit;
set search_path = audit;
set time zone 'Pacific/Apia';
set statement_timeout = '1234ms';
create table audit_log (id int);`,
  '002_nontx_settings.up.sql': `-- migrate:no-transaction
set search_path = audit;
set time zone 'Asia/Kathmandu';
create table audit_log2 (id int);`,
  '003_observe.up.sql': `create table observed as
  select current_setting('search_path') as search_path,
         current_setting('TimeZone') as time_zone,
         current_setting('statement_timeout') as statement_timeout;`,
};

const SQLITE = {
  '001_settings.up.sql': `pragma recursive_triggers = on;
pragma legacy_alter_table = on;
create table audit_log (id integer);`,
  '002_nontx_settings.up.sql': `-- migrate:no-transaction
pragma foreign_keys = off;
create table audit_log2 (id integer);`,
  '003_observe.up.sql': `create table observed as
  select (select foreign_keys from pragma_foreign_keys) as foreign_keys,
         (select recursive_triggers from pragma_recursive_triggers) as recursive_triggers,
         (select legacy_alter_table from pragma_legacy_alter_table) as legacy_alter_table;`,
};

describeEachDialect('session state between steps', (ctx) => {
  it('a SET/PRAGMA in one migration does not reach the next: one run of 3 = 3 runs of 1', async () => {
    const files = ctx.dialect === 'postgres' ? POSTGRES : SQLITE;
    const dir = folder(files);
    const results = await migrateToLatest(ctx.database.url, { config: { migrationsDir: dir } });
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    const observed = await ctx.database.query<Record<string, unknown>>('select * from observed');
    if (ctx.dialect === 'postgres') {
      const [fresh] = await ctx.database.query<Record<string, string>>(
        "select current_setting('search_path') as search_path, current_setting('TimeZone') as time_zone",
      );
      // The engine's statement_timeout for a step (config statementTimeoutMs, or the step timeout) applies, not 1234ms.
      expect(observed).toEqual([{ ...fresh, statement_timeout: '1h' }]);
      // 003 created its table in public, where a fresh session would: not in audit.
      const where = await ctx.database.query<{ schemaname: string }>(
        "select schemaname from pg_tables where tablename = 'observed'",
      );
      expect(where).toEqual([{ schemaname: 'public' }]);
    } else {
      // The values the connection had before the first step (kmigrate opens SQLite with foreign keys on).
      expect(observed).toEqual([{ foreign_keys: 1, recursive_triggers: 0, legacy_alter_table: 0 }]);
    }
    expect(await tableExists(ctx.database, 'observed')).toBe(true);
  });
});
