import Database from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import type { AnyDatabase } from '../../src/engine/any-kysely.ts';
import { MigrationFailedError } from '../../src/engine/errors.ts';
import { migrateToLatest } from '../../src/index.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

/**
 * #13: on PostgreSQL an SQL step of a run holding the session lock sends its
 * opening (BEGIN, reset, limits) in the script's own round trip. What must not
 * change: a failure anywhere in that query — a syntax error, which stops
 * PostgreSQL before it runs any of the string, BEGIN included, or an error
 * after some statements ran — leaves nothing of the step and is reported as
 * rolled back, with the file's line; the step before it stays applied.
 */
const folder = migrationFolders();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describeEachDialect('a script step sent with its opening', (ctx) => {
  function open(queries: string[]): Kysely<AnyDatabase> {
    const log = (event: LogEvent) => {
      queries.push(event.query.sql);
    };
    const target = parseDatabaseUrl(ctx.database.url);
    if (target.dialect === 'sqlite')
      return new Kysely({ dialect: new SqliteDialect({ database: new Database(target.filename) }), log });
    const pool = new pg.Pool({ connectionString: target.url });
    pool.on('error', () => undefined);
    return new Kysely({ dialect: new PostgresDialect({ pool }), log });
  }

  it.each([
    [
      'a syntax error (nothing of the query string runs)',
      'create table b (id integer);\n\ncreat tabel c (id integer);\n',
      3,
    ],
    [
      'an error after a statement ran',
      'create table b (id integer);\ninsert into b values (1);\ninsert into missing values (1);\n',
      3,
    ],
  ])(
    '%s: the step leaves nothing, rows say 1 applied, reported rolled back at its line',
    async (_, text, line) => {
      const queries: string[] = [];
      const db = open(queries);
      cleanups.push(() => db.destroy());
      const dir = folder({ '001_a.up.sql': 'create table a (id integer);\n', '002_b.up.sql': text });
      const failure = await migrateToLatest(db, { config: { migrationsDir: dir } }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MigrationFailedError);
      const error = failure as MigrationFailedError;
      expect(error.details.rolledBack).toBe(true);
      expect(error.message).not.toMatch(/ended the engine's transaction|dirty/);
      expect(error.line).toBe(line);
      expect((await trackingRows(ctx.database)).map((r) => [Number(r.version), r.state])).toEqual([
        [1, 'applied'],
      ]);
      expect(await tableExists(ctx.database, 'a')).toBe(true);
      expect(await tableExists(ctx.database, 'b')).toBe(false);
      if (ctx.dialect === 'postgres') {
        // Both steps went in one round trip (decision 0007), each between its own BEGIN and COMMIT.
        const at = queries.findIndex((q) => q.includes('create table a'));
        expect(queries[at]).toMatch(
          /^begin; set session authorization default; reset all; .*create table a.*\bcommit;\nbegin; .*create table b/s,
        );
        const after = queries.slice(at + 1);
        if (text.includes('creat tabel')) {
          // The syntax error stopped the whole text: nothing ran, so the steps went again one by one.
          // 001 with its opening, ending at the kept-commit savepoint; then 001's rows and COMMIT with
          // 002's opening and script, refused again; 001 was intact, so its COMMIT went on its own,
          // then 002 again on its own, which failed the same way and was rolled back.
          const single = after.findIndex((q) =>
            /^begin; .*create table a.*savepoint kmigrate_kept_commit$/s.test(q),
          );
          expect(single).toBeGreaterThanOrEqual(0);
          expect(after[single + 1]).toMatch(
            /^set session authorization default; reset all;.*values \(1, 'a'.*\ncommit;\nbegin; .*creat tabel/s,
          );
          expect(after[single + 2]).toBe('rollback to savepoint kmigrate_kept_commit');
          expect(after[single + 3]).toMatch(/^set session authorization default; reset all;.*\ncommit$/s);
          expect(after[single + 4]).toMatch(/^begin; .*creat tabel/s);
        } else {
          // 002 failed after 001's COMMIT ran: the session's marker said so, and nothing of either
          // step was sent again.
          expect(after.some((q) => q.includes("values (1, 'a'"))).toBe(false);
          expect(after.some((q) => q.includes('insert into missing'))).toBe(false);
        }
      }
      // The same folder, fixed, applies 002 on the next run: the session and the lock were left clean.
      const fixed = folder({
        '001_a.up.sql': 'create table a (id integer);\n',
        '002_b.up.sql': 'create table b (id integer);\n',
      });
      await migrateToLatest(db, { config: { migrationsDir: fixed } });
      expect((await trackingRows(ctx.database)).map((r) => Number(r.version))).toEqual([1, 2]);
      expect(await tableExists(ctx.database, 'b')).toBe(true);
    },
  );
});
