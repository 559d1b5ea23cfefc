import Database from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import type { AnyDatabase } from '../../src/engine/any-kysely.ts';
import { migrateToLatest } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableModule, writeMigrationFolder } from '../support/migration-folder.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** The test database is dropped WITH (FORCE) after the test; an idle client's termination is expected. */
function quietPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  return pool;
}

describeEachDialect('start-up fast path', (ctx) => {
  it('latest with everything applied costs exactly one query', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 20; i++) files[`${String(i).padStart(3, '0')}_t${i}.ts`] = tableModule(`t${i}`);
    const folder = writeMigrationFolder(files);
    cleanups.push(folder.cleanup);
    const queries: string[] = [];
    const log = (event: LogEvent) => {
      queries.push(event.query.sql);
    };
    const target = parseDatabaseUrl(ctx.database.url);
    const db =
      target.dialect === 'sqlite'
        ? new Kysely<AnyDatabase>({
            dialect: new SqliteDialect({ database: new Database(target.filename) }),
            log,
          })
        : new Kysely<AnyDatabase>({ dialect: new PostgresDialect({ pool: quietPool(target.url) }), log });
    cleanups.unshift(() => db.destroy());
    const options = { config: { migrationsDir: folder.dir } };
    expect(await migrateToLatest(db, options)).toHaveLength(20);

    queries.length = 0;
    expect(await migrateToLatest(db, options)).toEqual([]);
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/^select "version", "name", "checksum"/);
  });
});
