import { afterEach, describe, expect, it } from 'vitest';
import { codegenProject, FIXTURE } from '../codegen/codegen-project.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  cleanups.push(() => db.drop());
  return db;
}

async function publicTables(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ t: string }>(
    `select tablename as t from pg_tables where schemaname = 'public' order by 1`,
  );
  return rows.map((r) => r.t);
}

describe('one scratch-database service: KMIGRATE_SCRATCH_DATABASE_URL for drift, verify and codegen', () => {
  it('codegen and verify both build in the named database, after resetting it', async () => {
    const scratch = await database();
    await scratch.query('create table leftover (id int)');
    const p = codegenProject(FIXTURE);
    cleanups.push(p.cleanup);

    // The one variable wins over the older codegen alias (which names a server to create databases on).
    const codegen = await p.cli(['codegen'], { KMIGRATE_SCRATCH_DATABASE_URL: scratch.url });
    expect(codegen.stderr).toBe('');
    expect(codegen.code).toBe(0);
    expect(p.read()).toContain('export interface Accounts');
    // Built there: the migrations' tables and the tracking tables, the leftover reset away.
    expect(await publicTables(scratch)).toEqual([
      'aa_items',
      'accounts',
      'notes',
      'schema_migrations',
      'schema_migrations_history',
      'zebras',
    ]);
    const rows = await scratch.query<{ version: number }>(
      'select version from schema_migrations order by version',
    );
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2]);

    await scratch.query('create table leftover (id int)');
    const verify = await p.cli(
      ['--json', '--url', 'sqlite:./dev.sqlite', 'verify', '--dialect', 'postgres'],
      {
        KMIGRATE_SCRATCH_DATABASE_URL: scratch.url,
      },
    );
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 2, total: 2 });
    // verify ends with every migration applied (up, down, up) in the named database.
    expect(await publicTables(scratch)).toEqual([
      'aa_items',
      'accounts',
      'notes',
      'schema_migrations',
      'schema_migrations_history',
      'zebras',
    ]);
  }, 120_000);
});
