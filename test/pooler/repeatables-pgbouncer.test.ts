import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCliProcess } from '../support/cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { migrationFolders } from '../support/migration-folder.ts';
import { type PgBouncer, pgbouncerTool, startPgBouncer } from '../support/pgbouncer.ts';

const tool = pgbouncerTool();
const folder = migrationFolders();

// Behind a transaction pooler there is no session lock: each repeatable takes the lock in its own
// transaction and checks under it that its row still has the checksum the plan saw (RepeatableRunner's
// per-repeatable guard). Skipped only where pgbouncer is not installed (the skip prints how to install it);
// CI sets KMIGRATE_REQUIRE_PGBOUNCER=1, which turns its absence into a failure instead.
describe.skipIf(!tool.available)('repeatable migrations behind a real PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    bouncer = await startPgBouncer({ upstreamUrl: inject('pgAdminUrl'), poolSize: 2 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('three processes at once: each repeatable applied exactly once; an edit is applied again once', async () => {
    database = await createPostgresDatabase();
    const dir = folder({
      '001_users.up.sql':
        'create table users (id integer primary key, active boolean not null default true);\n',
      '001_users.down.sql': 'drop table users;\n',
      'R__a_active.sql': 'create or replace view active_users as select id from users where active;\n',
      'R__b_count.sql':
        'create or replace function user_count() returns bigint language sql as $$ select count(*) from users $$;\n',
    });
    const url = bouncer.urlFor(new URL(database.url).pathname.slice(1), { params: 'pgbouncer=true' });
    const runAll = () =>
      Promise.all(
        [1, 2, 3].map(() =>
          runCliProcess(['--url', url, '--dir', dir, 'latest', '--no-codegen'], { timeoutMs: 60_000 }),
        ),
      );
    for (const run of await runAll()) expect(run.code, run.stderr).toBe(0);
    const applied = await database.query<{ name: string }>(
      "select name from schema_migrations_history where action = 'repeatable' order by id",
    );
    expect(applied.map((r) => r.name)).toEqual(['R__a_active', 'R__b_count']);
    expect(await database.query('select user_count() as n')).toEqual([{ n: '0' }]);

    fs.writeFileSync(
      path.join(dir, 'R__a_active.sql'),
      'create or replace view active_users as select id from users where active and id > 0;\n',
    );
    for (const run of await runAll()) expect(run.code, run.stderr).toBe(0);
    const again = await database.query<{ name: string }>(
      "select name from schema_migrations_history where action = 'repeatable' order by id",
    );
    expect(again.map((r) => r.name)).toEqual(['R__a_active', 'R__b_count', 'R__a_active']);
    const [view] = await database.query<{ def: string }>(
      "select definition as def from pg_views where viewname = 'active_users'",
    );
    expect(view!.def).toMatch(/id > 0/);
  }, 120_000);
});
