import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createMigrator,
  DirtyDatabaseError,
  type KMigrator,
  LockTimeoutError,
  MigrateError,
  migrateToLatest,
  OutOfOrderError,
} from '../../src/index.ts';
import { createSqliteDatabase, type TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

const folder = migrationFolders();
const open: KMigrator[] = [];
const kyselys: Kysely<unknown>[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
  for (const k of kyselys.splice(0)) await k.destroy();
});

const three = () => ({
  '001_a.ts': tableModule('a'),
  '002_b.up.sql': 'create table b (id integer primary key);\n',
  '002_b.down.sql': 'drop table b;\n',
  '003_c.ts': tableModule('c'),
});

function migrator(database: TestDatabase, dir: string, extra: Parameters<typeof createMigrator>[0] = {}) {
  const m = createMigrator({ url: database.url, migrationFolder: dir, ...extra });
  open.push(m);
  return m;
}

/** The caller's own Kysely instance, as the example app builds it. */
async function kyselyFor(database: TestDatabase): Promise<Kysely<unknown>> {
  let sqlite: import('better-sqlite3').Database | undefined;
  if (database.dialect === 'sqlite') {
    sqlite = new (await import('better-sqlite3')).default(database.url.slice('sqlite:'.length));
    // As kmigrate opens SQLite: readers never wait for a writer.
    sqlite.pragma('journal_mode = wal');
  }
  const db = sqlite
    ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) })
    : new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: idlePool(database.url) }),
      });
  kyselys.push(db);
  return db;
}

const versions = async (database: TestDatabase) => (await trackingRows(database)).map((r) => r.version);

describeEachDialect('createMigrator: the one door', (ctx) => {
  it('latest, down, up, to, redo and status move the tracking rows and the catalog together', async () => {
    const m = migrator(ctx.database, folder(three()));
    expect((await m.latest()).results.map((r) => [r.version, r.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);

    const down = await m.down({ steps: 2 });
    expect(down.results.map((r) => [r.version, r.status])).toEqual([
      [3, 'reverted'],
      [2, 'reverted'],
    ]);
    expect(await versions(ctx.database)).toEqual([1]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);

    expect((await m.up({ steps: 1 })).results.map((r) => r.version)).toEqual([2]);
    expect(await tableExists(ctx.database, 'b')).toBe(true);
    expect((await m.to(0)).direction).toBe('down');
    expect(await versions(ctx.database)).toEqual([]);
    expect(await tableExists(ctx.database, 'a')).toBe(false);
    await m.to(3);
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);

    const redo = await m.redo();
    expect(redo.results.map((r) => [r.version, r.status])).toEqual([
      [3, 'reverted'],
      [3, 'applied'],
    ]);
    const history = await ctx.database.query<{ action: string }>(
      'select action from schema_migrations_history where version = 3 order by id',
    );
    expect(history.map((h) => h.action)).toEqual(['up', 'down', 'up', 'down', 'up']);

    const status = await m.status();
    expect(status).toMatchObject({ currentVersion: 3, pending: 0, dirty: false, initialized: true });
    expect(status.entries.map((e) => e.state)).toEqual(['applied', 'applied', 'applied']);
  });

  it('plan is a dry run: the steps with their SQL, and the database untouched', async () => {
    const m = migrator(ctx.database, folder(three()));
    const plan = await m.plan();
    expect(plan.direction).toBe('up');
    expect(plan.steps.map((s) => s.version)).toEqual([1, 2, 3]);
    expect(plan.steps[0]!.statements.join('\n')).toMatch(/create table "a"/i);
    expect(plan.steps[1]!.statements.join('\n')).toMatch(/create table b/i);
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    expect(await tableExists(ctx.database, 'a')).toBe(false);

    // The free function's dryRun returns the plan too (it used to return []).
    const planned = await migrateToLatest(ctx.database.url, {
      dryRun: true,
      config: { migrationsDir: folder(three()) },
    });
    expect(planned.map((s) => [s.version, s.status])).toEqual([
      [1, 'planned'],
      [2, 'planned'],
      [3, 'planned'],
    ]);
    expect(planned[1]).toMatchObject({ statements: [expect.stringMatching(/create table b/i)] });
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);

    await m.latest();
    const downPlan = await m.plan({ command: 'down', steps: 2 });
    expect(downPlan.steps.map((s) => [s.version, s.direction])).toEqual([
      [3, 'down'],
      [2, 'down'],
    ]);
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
  });

  it('refuses an out-of-order migration by default; allowOutOfOrder applies it', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '003_c.ts': tableModule('c') });
    await migrator(ctx.database, dir).latest();
    const late = folder({ ...three() });
    const strict = migrator(ctx.database, late);
    await expect(strict.latest()).rejects.toBeInstanceOf(OutOfOrderError);
    await expect(strict.plan()).rejects.toBeInstanceOf(OutOfOrderError);
    expect(await versions(ctx.database)).toEqual([1, 3]);
    expect(await tableExists(ctx.database, 'b')).toBe(false);

    const lenient = migrator(ctx.database, late, { allowOutOfOrder: true });
    expect((await lenient.latest()).results.map((r) => r.version)).toEqual([2]);
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);
  });

  it('force, repair and baseline write the tracking rows they report', async () => {
    const dir = folder(three());
    const m = migrator(ctx.database, dir);
    const dry = await m.baseline(2, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, baselined: [1, 2], from: null });
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(false);
    expect(await m.baseline(2)).toMatchObject({ dryRun: false, version: 2, baselined: [1, 2] });
    expect(await versions(ctx.database)).toEqual([1, 2]);
    expect(await tableExists(ctx.database, 'a')).toBe(false);

    // A dirty row (a crashed non-transactional step) blocks until force.
    await ctx.database.query(
      `insert into schema_migrations (version, name, checksum, state, execution_ms, applied_by) values (3, 'c', 'x', 'running', 0, 'test')`,
    );
    await expect(m.latest()).rejects.toBeInstanceOf(DirtyDatabaseError);
    expect(await m.force(3, { notApplied: true })).toEqual({ version: 3, applied: false });
    expect(await versions(ctx.database)).toEqual([1, 2]);
    expect(await m.force(3)).toEqual({ version: 3, applied: true });
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);

    await ctx.database.query(`update schema_migrations set checksum = 'edited' where version = 2`);
    expect(await m.repair()).toEqual({ updated: [2], forgotten: [] });
    const row = (await trackingRows(ctx.database)).find((r) => r.version === 2)!;
    expect(row.checksum).not.toBe('edited');
  });

  it('importHistory adopts golang-migrate history (dry run first, nothing written)', async () => {
    const db = ctx.database;
    await db.query('create table gm (version bigint not null primary key, dirty boolean not null)');
    await db.query(
      `insert into gm (version, dirty) values (2, ${db.dialect === 'postgres' ? 'false' : '0'})`,
    );
    const m = migrator(db, folder(three()));
    const dry = await m.importHistory({ from: 'golang-migrate', sourceTable: 'gm', dryRun: true });
    expect(dry).toMatchObject({ from: 'golang-migrate', version: 2, baselined: [1, 2], dryRun: true });
    expect(await tableExists(db, 'schema_migrations')).toBe(false);
    await expect(m.importHistory({ from: 'golang-migrate', sourceTable: 'gm', version: 3 })).rejects.toThrow(
      /it is at version 2, not 3/,
    );
    expect(await m.importHistory({ from: 'golang-migrate', sourceTable: 'gm', version: 2 })).toMatchObject({
      dryRun: false,
      baselined: [1, 2],
    });
    expect(await versions(db)).toEqual([1, 2]);
    if (db.dialect === 'sqlite') {
      await expect(m.importHistory({ from: 'supabase' })).rejects.toBeInstanceOf(ConfigError);
    }
  });

  it('drift and verify report structured findings; lint reads the folder', async () => {
    const dir = folder(three());
    const m = migrator(ctx.database, dir);
    await m.latest();
    const clean = await m.drift();
    expect(clean).toMatchObject({ drift: false, appliedVersions: [1, 2, 3], differences: [] });
    await ctx.database.query('create table sneaky (id integer)');
    const drifted = await m.drift();
    expect(drifted.drift).toBe(true);
    expect(JSON.stringify(drifted.differences)).toMatch(/sneaky/);

    const verified = await m.verify();
    expect(verified).toMatchObject({ ok: true, checked: 3, total: 3, findings: [] });
    // verify builds on a scratch database: this one still has exactly its three rows.
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);

    const linted = await m.lint({ scope: 'all', displayPath: (f) => path.basename(f) });
    expect(linted.scope).toBe('all migrations');
    expect(linted.linted.map((l) => l.version)).toEqual([1, 2, 3]);
    expect((await m.lint()).linted).toEqual([]);
  });

  it('a Kysely instance gets the same engine, and is not destroyed by close', async () => {
    const db = await kyselyFor(ctx.database);
    const m = createMigrator({ db, migrationFolder: folder(three()) });
    open.push(m);
    expect((await m.database()).label).toBe('the given Kysely instance');
    expect((await m.latest()).results).toHaveLength(3);
    await m.close();
    expect(await versions(ctx.database)).toEqual([1, 2, 3]);
    // Still usable by its owner.
    expect((await m.status()).currentVersion).toBe(3);
    await expect(m.codegen({ fromLive: true })).rejects.toBeInstanceOf(ConfigError);
  });

  it('ConfigError is a MigrateError (one catch for every kmigrate error)', () => {
    expect(() => createMigrator({ url: ctx.database.url, table: 'bad name' })).toThrow(MigrateError);
  });
});

/** The test database is dropped (WITH FORCE) before this pool ends: its idle clients' errors are expected. */
function idlePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

describe('createMigrator({ db }) on SQLite keeps the cross-process lock', () => {
  it('waits for the .kmigrate-lock held by another connection, exactly as a URL migrator does', async () => {
    const database = await createSqliteDatabase();
    try {
      const file = database.url.slice('sqlite:'.length);
      const dir = folder(three());
      const db = await kyselyFor(database);
      // Another process's migrator (here: another connection) holds the migration lock.
      const Database = (await import('better-sqlite3')).default;
      const holder = new Database(`${fs.realpathSync(file)}.kmigrate-lock`);
      holder.exec('begin immediate');
      const viaKysely = createMigrator({ db, migrationFolder: dir, lockTimeoutMs: 300 });
      open.push(viaKysely);
      await expect(viaKysely.latest()).rejects.toBeInstanceOf(LockTimeoutError);
      expect(await tableExists(database, 'schema_migrations')).toBe(false);
      holder.exec('rollback');
      holder.close();
      expect((await viaKysely.latest()).results).toHaveLength(3);

      // And the other way round: while the Kysely-instance migrator runs a step, a URL migrator waits.
      const slow = folder({
        ...three(),
        '004_slow.ts': `export async function up(): Promise<void> { await new Promise((r) => setTimeout(r, 1500)); }
export async function down(): Promise<void> {}
`,
      });
      let started!: () => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const viaInstance = createMigrator({
        db,
        migrationFolder: slow,
        onEvent: (e) => e.type === 'start' && started(),
      });
      open.push(viaInstance);
      const holding = viaInstance.latest();
      await running;
      await new Promise((r) => setTimeout(r, 100));
      const viaUrl = migrator(database, slow, { lockTimeoutMs: 300 });
      expect((await viaUrl.status()).pending).toBe(1);
      await expect(viaUrl.latest()).rejects.toBeInstanceOf(LockTimeoutError);
      expect((await holding).results.map((r) => [r.version, r.status])).toEqual([[4, 'applied']]);
      expect(await versions(database)).toEqual([1, 2, 3, 4]);
    } finally {
      await database.drop();
    }
  });
});
