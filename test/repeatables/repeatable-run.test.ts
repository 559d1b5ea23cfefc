import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import type { TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();

const USERS = {
  '001_users.up.sql':
    'create table users (id integer primary key, email text not null, active integer not null default 1);\n',
  '001_users.down.sql': 'drop table users;\n',
};

/** Works on both dialects: SQLite has no `create or replace view`. */
function activeUsersView(where: string): string {
  return `drop view if exists active_users;\ncreate view active_users as select id, email from users where ${where};\n`;
}

async function viewDefinition(database: TestDatabase, view: string): Promise<string | undefined> {
  const rows =
    database.dialect === 'sqlite'
      ? await database.query<{ def: string }>(
          `select sql as def from sqlite_master where type = 'view' and name = '${view}'`,
        )
      : await database.query<{ def: string }>(
          `select definition as def from pg_views where schemaname = 'public' and viewname = '${view}'`,
        );
  return rows[0]?.def;
}

interface RepeatableRowView {
  name: string;
  checksum: string;
}

async function repeatableRows(database: TestDatabase): Promise<RepeatableRowView[]> {
  return database.query<RepeatableRowView>(
    'select name, checksum from "schema_migrations_repeatables" order by name',
  );
}

async function historyRows(
  database: TestDatabase,
): Promise<{ version: number; name: string; action: string }[]> {
  const rows = await database.query<{ version: number; name: string; action: string }>(
    'select version, name, action from "schema_migrations_history" order by id',
  );
  return rows.map((r) => ({ ...r, version: Number(r.version) }));
}

describeEachDialect('repeatable migrations (R__*)', (ctx) => {
  const cli = (dir: string, ...args: string[]) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args]);

  it('are applied after the versioned migrations, in name order; unchanged ones are not applied again', async () => {
    const dir = folder({
      ...USERS,
      // Depends on R__a's view: name order makes it run second.
      'R__b_emails.sql':
        'drop view if exists active_emails;\ncreate view active_emails as select email from active_users;\n',
      'R__a_active_users.sql': activeUsersView('active = 1'),
    });
    const first = await cli(dir, 'latest');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/1_users[\s\S]*R__a_active_users[\s\S]*R__b_emails/);
    expect(first.stdout).toMatch(
      /Applied 1 migration and 2 repeatable migrations \(R__a_active_users, R__b_emails\)/,
    );
    expect(await viewDefinition(ctx.database, 'active_emails')).toBeDefined();
    expect((await repeatableRows(ctx.database)).map((r) => r.name)).toEqual([
      'R__a_active_users',
      'R__b_emails',
    ]);
    // Audited after the versioned step, in the order they ran.
    expect(await historyRows(ctx.database)).toEqual([
      { version: 1, name: 'users', action: 'up' },
      { version: 0, name: 'R__a_active_users', action: 'repeatable' },
      { version: 0, name: 'R__b_emails', action: 'repeatable' },
    ]);

    const again = await cli(dir, 'latest');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to apply/);
    expect(await historyRows(ctx.database)).toHaveLength(3);
  });

  it('is applied again when its checksum changes: the catalog has the new definition, the row the new checksum', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': activeUsersView('active = 1') });
    expect((await cli(dir, 'latest')).code).toBe(0);
    const [before] = await repeatableRows(ctx.database);
    expect(await viewDefinition(ctx.database, 'active_users')).toMatch(/active = 1/);

    fs.writeFileSync(path.join(dir, 'R__active_users.sql'), activeUsersView('active = 2'));
    const status = await cli(dir, 'status', '--json');
    expect(JSON.parse(status.stdout).repeatables).toMatchObject([
      { id: 'R__active_users', state: 'outdated' },
    ]);

    const run = await cli(dir, 'latest');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/R__active_users \(changed: applied again\)/);
    expect(await viewDefinition(ctx.database, 'active_users')).toMatch(/active = 2/);
    const [after] = await repeatableRows(ctx.database);
    expect(after!.checksum).not.toBe(before!.checksum);
    expect((await historyRows(ctx.database)).filter((h) => h.action === 'repeatable')).toHaveLength(2);
    expect(JSON.parse((await cli(dir, 'status', '--json')).stdout).repeatables).toMatchObject([
      { id: 'R__active_users', state: 'applied', checksum: after!.checksum },
    ]);
  });

  it('a failing repeatable is rolled back and fails loudly (exit 1, one line); the steps before it stay applied and recorded', async () => {
    const dir = folder({
      ...USERS,
      'R__a_active_users.sql': activeUsersView('active = 1'),
      'R__b_broken.sql': 'create table half_done (id integer);\n\ninsert into no_such_table values (1);\n',
    });
    const run = await cli(dir, 'latest');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: R__b_broken\.sql:3:\d+: repeatable migration R__b_broken failed.*no_such_table.*rolled back/m,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    expect((await repeatableRows(ctx.database)).map((r) => r.name)).toEqual(['R__a_active_users']);
    expect(await tableExists(ctx.database, 'half_done')).toBe(false);
    const status = JSON.parse((await cli(dir, 'status', '--json')).stdout);
    expect(status.repeatables.map((r: { id: string; state: string }) => [r.id, r.state])).toEqual([
      ['R__a_active_users', 'applied'],
      ['R__b_broken', 'pending'],
    ]);

    // Fixed: the next run applies only it.
    fs.writeFileSync(path.join(dir, 'R__b_broken.sql'), 'create table half_done (id integer);\n');
    const fixed = await cli(dir, 'latest');
    expect(fixed.code).toBe(0);
    expect(await tableExists(ctx.database, 'half_done')).toBe(true);
    expect((await repeatableRows(ctx.database)).map((r) => r.name)).toEqual([
      'R__a_active_users',
      'R__b_broken',
    ]);
  });

  it('status shows applied / outdated / pending / missing, in text and JSON', async () => {
    const dir = folder({
      ...USERS,
      'R__a_applied.sql': activeUsersView('active = 1'),
      'R__b_outdated.sql': 'drop view if exists b;\ncreate view b as select 1 as one;\n',
      'R__d_gone.sql': 'drop view if exists d;\ncreate view d as select 1 as one;\n',
    });
    expect((await cli(dir, 'latest')).code).toBe(0);
    fs.writeFileSync(
      path.join(dir, 'R__b_outdated.sql'),
      'drop view if exists b;\ncreate view b as select 2 as two;\n',
    );
    fs.writeFileSync(
      path.join(dir, 'R__c_pending.sql'),
      'drop view if exists c;\ncreate view c as select 1 as one;\n',
    );
    fs.rmSync(path.join(dir, 'R__d_gone.sql'));
    const text = await cli(dir, 'status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^R\s+a_applied\s+applied/m);
    expect(text.stdout).toMatch(/^R\s+b_outdated\s+outdated/m);
    expect(text.stdout).toMatch(/^R\s+c_pending\s+pending/m);
    expect(text.stdout).toMatch(/^R\s+d_gone\s+missing/m);
    expect(text.stdout).toMatch(/2 repeatable\(s\) to apply/);
    const json = JSON.parse((await cli(dir, 'status', '--json')).stdout);
    expect(json.repeatables.map((r: { id: string; state: string }) => [r.id, r.state])).toEqual([
      ['R__a_applied', 'applied'],
      ['R__b_outdated', 'outdated'],
      ['R__c_pending', 'pending'],
      ['R__d_gone', 'missing'],
    ]);
  });

  it('only a run that reaches the newest version applies them; down leaves their objects but marks them outdated', async () => {
    const dir = folder({
      ...USERS,
      '002_notes.up.sql': 'create table notes (id integer primary key);\n',
      '002_notes.down.sql': 'drop table notes;\n',
      'R__active_users.sql': activeUsersView('active = 1'),
    });
    expect((await cli(dir, 'up', '--step', '1')).code).toBe(0);
    expect(await repeatableRows(ctx.database).catch(() => [])).toEqual([]);
    expect(await viewDefinition(ctx.database, 'active_users')).toBeUndefined();
    expect((await cli(dir, 'up')).code).toBe(0);
    expect(await viewDefinition(ctx.database, 'active_users')).toBeDefined();

    const down = await cli(dir, 'down', '--yes');
    expect(down.code).toBe(0);
    // Not reverted (a repeatable has no down) ...
    expect(await viewDefinition(ctx.database, 'active_users')).toBeDefined();
    // ... but what is under it changed: outdated until the next run that reaches the newest version.
    expect(JSON.parse((await cli(dir, 'status', '--json')).stdout).repeatables).toMatchObject([
      { id: 'R__active_users', state: 'outdated' },
    ]);
    const up = await cli(dir, 'latest');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/2_notes[\s\S]*R__active_users/);
    expect(JSON.parse((await cli(dir, 'status', '--json')).stdout).repeatables).toMatchObject([
      { id: 'R__active_users', state: 'applied' },
    ]);
  });

  it('redo rolls back and re-applies the newest migration, then applies every repeatable again (its dry run lists them)', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': activeUsersView('active = 1') });
    expect((await cli(dir, 'latest')).code).toBe(0);
    // The view reads users, which the redo drops: the down must drop the view first.
    fs.writeFileSync(
      path.join(dir, '001_users.down.sql'),
      'drop view if exists active_users;\ndrop table users;\n',
    );
    // (A pair's checksum covers its .up.sql only: editing the down needs no repair.)
    const plan = await cli(dir, 'redo', '--dry-run', '--yes');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/↻ R__active_users \(R__active_users\.sql, changed: applied again/);
    const redo = await cli(dir, 'redo', '--yes');
    expect(redo.stderr).toBe('');
    expect(redo.code).toBe(0);
    expect(await viewDefinition(ctx.database, 'active_users')).toMatch(/active = 1/);
    expect((await historyRows(ctx.database)).map((h) => `${h.action} ${h.name}`)).toEqual([
      'up users',
      'repeatable R__active_users',
      'down users',
      'up users',
      'repeatable R__active_users',
    ]);
  });

  it('TypeScript repeatables run with Kysely; --dry-run lists them with their SQL and changes nothing', async () => {
    const dir = folder({
      ...USERS,
      'R__active_users.ts': `import { sql, type Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await sql\`drop view if exists active_users\`.execute(db);
  await db.schema.createView('active_users').as(db.selectFrom('users').select(['id', 'email']).where('active', '=', 1)).execute();
}
`,
    });
    const plan = await cli(dir, 'latest', '--dry-run');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/1 step\(s\) and 1 repeatable\(s\)/);
    expect(plan.stdout).toMatch(
      /↻ R__active_users \(R__active_users\.ts, first time, in a transaction\)[\s\S]*create view "active_users"/,
    );
    expect(await tableExists(ctx.database, 'users')).toBe(false);
    const json = JSON.parse((await cli(dir, '--json', 'latest', '--dry-run')).stdout);
    expect(json.repeatables).toMatchObject([{ id: 'R__active_users', reason: 'pending' }]);

    expect((await cli(dir, 'latest')).code).toBe(0);
    expect(await viewDefinition(ctx.database, 'active_users')).toBeDefined();
    const nothing = await cli(dir, 'latest', '--dry-run');
    expect(nothing.stdout).toMatch(/nothing to do/);
  });
});
