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
 * #13: on PostgreSQL, under the run's lock, a step's tracking rows and COMMIT
 * travel with the next step's opening and script — one round trip per
 * migration (half the round trips of a deploy to a remote database). What
 * must not change: a step is reported done only once its COMMIT went; a
 * COMMIT that fails is that step's failure, the next step never runs; the
 * rows and the schema agree afterwards. SQLite (no round trips) commits each
 * step on its own, with the same results.
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

  it('five steps: one round trip each, every one reported done after its COMMIT, in order', async () => {
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
    expect((await trackingRows(ctx.database)).map((r) => [Number(r.version), r.state])).toEqual(
      [1, 2, 3, 4, 5].map((v) => [v, 'applied']),
    );
    for (const i of [1, 2, 3, 4, 5]) expect(await tableExists(ctx.database, `t${i}`)).toBe(true);
    // Each `done` after its own `start`, in the order of the steps; on PostgreSQL a step's `done`
    // comes after the next step's `start` (its COMMIT went with that step's script).
    const dones = events.filter((e) => e.startsWith('done'));
    expect(dones).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    for (const i of [1, 2, 3, 4, 5])
      expect(events.indexOf(`done ${i}`)).toBeGreaterThan(events.indexOf(`start ${i}`));
    if (ctx.dialect === 'postgres') {
      for (const i of [2, 3, 4, 5]) {
        const carrying = queries.filter((q) => q.includes(`create table t${i} `));
        expect(carrying).toHaveLength(1);
        // The previous step's tracking row and COMMIT, then this step's opening and script.
        expect(carrying[0]).toMatch(
          new RegExp(`values \\(${i - 1}, 't${i - 1}'.*\\ncommit;\\nbegin; .*create table t${i} `, 's'),
        );
      }
      // From the first script to the last COMMIT: one query per step, and one for the last COMMIT.
      const first = queries.findIndex((q) => q.includes('create table t1 '));
      const last = queries.findIndex((q) => /values \(5, 't5'.*\bcommit$/s.test(q));
      expect(last - first + 1).toBe(6);
      expect(events.indexOf('done 1')).toBeGreaterThan(events.indexOf('start 2'));
    } else {
      expect(events).toEqual([1, 2, 3, 4, 5].flatMap((i) => [`start ${i}`, `done ${i}`]));
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
      // 002's COMMIT went with 003's script, failed, and 003 was never sent again.
      expect(queries.filter((q) => q.includes('create table t3 '))).toHaveLength(1);
      expect(queries.find((q) => q.includes('create table t3 '))).toMatch(
        /values \(2, 'a'.*\ncommit;\nbegin; /s,
      );
    }
  });
});
