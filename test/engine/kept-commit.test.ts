import Database from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import type { AnyDatabase } from '../../src/engine/any-kysely.ts';
import { createMigrator, type MigrationEvent } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

/**
 * #13: on PostgreSQL, under the run's lock, SQL steps in a row travel in one
 * round trip, each in its own transaction with its tracking rows (decision
 * 0007); a step on its own has its tracking rows and COMMIT travel with the
 * next step's script (decision 0005). What must not change: a step is
 * reported done only once its COMMIT went; a COMMIT that fails is that step's
 * failure, the next step never runs; the rows and the schema agree afterwards.
 * SQLite (no round trips) commits each step on its own, with the same results.
 */
const folder = migrationFolders();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const script = (i: number) =>
  `create table t${i} (id integer primary key);\ninsert into t${i} values (${i});\n`;

describeEachDialect('a COMMIT sent with the next script', (ctx) => {
  function open(queries: string[]): Kysely<AnyDatabase> {
    const log = (event: LogEvent) => {
      queries.push(event.query.sql);
    };
    const target = parseDatabaseUrl(ctx.database.url);
    const pool = target.dialect === 'sqlite' ? undefined : new pg.Pool({ connectionString: target.url });
    // The test database is dropped after the test: its idle connections are terminated then.
    pool?.on('error', () => undefined);
    const db =
      target.dialect === 'sqlite'
        ? new Kysely<AnyDatabase>({
            dialect: new SqliteDialect({ database: new Database(target.filename) }),
            log,
          })
        : new Kysely<AnyDatabase>({
            dialect: new PostgresDialect({ pool: pool as pg.Pool }),
            log,
          });
    cleanups.push(() => db.destroy());
    return db;
  }

  it('five SQL steps: one round trip, a transaction each with its rows, every one reported done after its COMMIT, in order', async () => {
    const queries: string[] = [];
    const events: string[] = [];
    const db = open(queries);
    const files = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`00${i}_t${i}.up.sql`, script(i)]));
    const migrator = createMigrator({
      db,
      migrationFolder: folder(files),
      onEvent: (e: MigrationEvent) => {
        if (e.type === 'start') events.push(`start ${e.version}`);
        if (e.type === 'done') events.push(`done ${e.result.version}`);
      },
    });
    const { results } = await migrator.latest();
    await migrator.close();
    expect(results.map((r) => [r.version, r.status])).toEqual([1, 2, 3, 4, 5].map((v) => [v, 'applied']));
    const rows = await trackingRows(ctx.database);
    expect(rows.map((r) => [Number(r.version), r.state])).toEqual([1, 2, 3, 4, 5].map((v) => [v, 'applied']));
    for (const i of [1, 2, 3, 4, 5]) expect(await tableExists(ctx.database, `t${i}`)).toBe(true);
    // Each step's start, then its done, in the order of the steps.
    expect(events).toEqual([1, 2, 3, 4, 5].flatMap((i) => [`start ${i}`, `done ${i}`]));
    // The times reported are the ones recorded (on PostgreSQL measured by the server).
    const history = await ctx.database.query<{ version: unknown; execution_ms: unknown }>(
      'select version, execution_ms from schema_migrations_history order by id',
    );
    expect(history.map((h) => Number(h.execution_ms))).toEqual(results.map((r) => r.ms));
    expect(history.every((h) => Number(h.execution_ms) >= 0)).toBe(true);
    if (ctx.dialect === 'postgres') {
      const carrying = queries.filter((q) => q.includes('create table t'));
      expect(carrying).toHaveLength(1);
      // Each script between its own BEGIN and its own rows and COMMIT, in order.
      expect(carrying[0]).toMatch(
        new RegExp(
          [1, 2, 3, 4, 5]
            .map((i) => `begin; .*create table t${i} .*values \\(${i}, 't${i}'.*\\bcommit;`)
            .join('.*'),
          's',
        ),
      );
      expect(carrying[0]?.match(/\bcommit;/g)).toHaveLength(5);
    }
  });

  it('a COMMIT that fails (a deferred constraint) is its own step failure: nothing of it or after it stays', async () => {
    const failing = `create table parent (id integer primary key);
create table child (id integer primary key, parent_id integer references parent (id) deferrable initially deferred);
insert into child values (1, 42);
`;
    const alone = await createMigrator({
      url: ctx.database.url,
      migrationFolder: folder({ '001_a.up.sql': failing }),
    })
      .latest()
      .catch((e: unknown) => e);
    const events: string[] = [];
    const queries: string[] = [];
    const migrator = createMigrator({
      db: open(queries),
      migrationFolder: folder({
        '001_ok.up.sql': script(1),
        '002_a.up.sql': failing,
        '003_next.up.sql': script(3),
      }),
      onEvent: (e: MigrationEvent) => {
        if (e.type === 'done') events.push(`done ${e.result.version}`);
      },
    });
    const fused = await migrator.latest().catch((e: unknown) => e);
    await migrator.close();
    // The same failure as when 002 is the only step (and commits on its own).
    expect(fused).toBeInstanceOf(Error);
    expect(alone).toBeInstanceOf(Error);
    expect((fused as Error).constructor).toBe((alone as Error).constructor);
    expect((fused as Error).message).toMatch(/foreign key/i);
    expect((fused as Error).message.replace(/\b00[12]_|"a"|\b[12]\b/g, '')).toBe(
      (alone as Error).message.replace(/\b00[12]_|"a"|\b[12]\b/g, ''),
    );
    expect(events).toEqual(['done 1']);
    expect((await trackingRows(ctx.database)).map((r) => [Number(r.version), r.state])).toEqual([
      [1, 'applied'],
    ]);
    expect(await tableExists(ctx.database, 't1')).toBe(true);
    expect(await tableExists(ctx.database, 'parent')).toBe(false);
    expect(await tableExists(ctx.database, 'child')).toBe(false);
    expect(await tableExists(ctx.database, 't3')).toBe(false);
    if (ctx.dialect === 'postgres') {
      // 002's COMMIT went in one round trip with 001 and 003, failed there, and 003 was never sent again.
      expect(queries.filter((q) => q.includes('create table t3 '))).toHaveLength(1);
      expect(queries.find((q) => q.includes('create table t3 '))).toMatch(
        /values \(2, 'a'.*\bcommit;\nbegin; .*create table t3 /s,
      );
    }
  });
});
