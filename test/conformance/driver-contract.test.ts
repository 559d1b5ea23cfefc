import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { type OpenDatabase, openDatabase } from '../../src/dialects/open-database.ts';
import type { DialectAdapter, LockOptions } from '../../src/engine/dialect-adapter.ts';
import { LockTimeoutError } from '../../src/engine/errors.ts';
import { ScriptError } from '../../src/engine/script-error.ts';
import { historyDigest, TrackingStore } from '../../src/engine/tracking-store.ts';
import type { TrackingTable } from '../../src/engine/types.ts';
import { describeEachDialect } from '../support/each-dialect.ts';

/**
 * The driver contract (golang-migrate's database/testing idea): the same
 * bodies run against every driver. A new dialect is a new folder in
 * src/dialects plus this suite green.
 */
const opened: OpenDatabase[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function open(url: string): Promise<OpenDatabase> {
  const database = await openDatabase(parseDatabaseUrl(url));
  opened.push(database);
  return database;
}

const LOCK: LockOptions = { lockTimeoutMs: 10_000, statementLockTimeoutMs: 5_000, statementTimeoutMs: 0 };

function tableOf(adapter: DialectAdapter): TrackingTable {
  return { schema: adapter.defaultSchema, name: 'schema_migrations' };
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describeEachDialect('driver contract', (ctx) => {
  it('tracking tables: absent reads as null, creation is idempotent, rows round-trip through the store', async () => {
    const { db, adapter } = await open(ctx.database.url);
    const table = tableOf(adapter);
    const store = new TrackingStore(table, adapter, 'contract');
    expect(await store.read(db)).toBeNull();
    // True only from the call that made them with nothing of kmigrate's there (PostgreSQL says so;
    // a driver that cannot tell says false, and the engine reads the shape back).
    expect(await adapter.ensureTrackingTables(db, table, 5_000)).toBe(ctx.dialect === 'postgres');
    expect(await adapter.ensureTrackingTables(db, table, 5_000)).toBe(false);
    expect(await store.read(db)).toEqual([]);
    const outcome = await adapter.runLocked(db, table, LOCK, undefined, async (trx, finish) => {
      finish(
        store.insert(trx, { version: 7, name: 'seven', checksum: 'c7', state: 'applied', executionMs: 3 }),
      );
      finish(store.appendHistory(trx, { version: 7, name: 'seven', action: 'up', checksum: 'c7' }));
      return 'ok';
    });
    expect(outcome).toEqual({ ran: true, value: 'ok' });
    const rows = await store.read(db);
    expect(rows?.map((r) => [r.version, r.name, r.checksum, r.state, r.executionMs, r.appliedBy])).toEqual([
      [7, 'seven', 'c7', 'applied', 3, 'contract'],
    ]);
    expect(rows?.[0]?.appliedAt).toBeInstanceOf(Date);
    const history = await ctx.database.query<{ action: string; performed_by: string }>(
      'select action, performed_by from schema_migrations_history',
    );
    expect(history).toEqual([{ action: 'up', performed_by: 'contract' }]);
  });

  it('guard: a locked run whose history digest differs does not call fn and changes nothing', async () => {
    const { db, adapter } = await open(ctx.database.url);
    const table = tableOf(adapter);
    const store = new TrackingStore(table, adapter, 'contract');
    await adapter.ensureTrackingTables(db, table, 5_000);
    await store.run(
      db,
      store.insert(db, { version: 1, name: 'a', checksum: 'x', state: 'applied', executionMs: 0 }),
    );
    const guard = (expected: string) => ({
      expected,
      digestOf: (conn: typeof db) => store.digest(conn),
      digestQuery: (conn: typeof db) => store.digestQuery(conn),
    });
    let called = false;
    const stale = await adapter.runLocked(db, table, LOCK, guard(historyDigest([])), async () => {
      called = true;
    });
    expect(stale).toEqual({ ran: false });
    expect(called).toBe(false);
    const current = historyDigest([{ version: 1, name: 'a', checksum: 'x', state: 'applied' }]);
    // The database's digest (digestQuery) and the engine's (historyDigest) agree.
    const fresh = await adapter.runLocked(db, table, LOCK, guard(current), async (trx, finish) => {
      finish(store.remove(trx, 1));
    });
    expect(fresh.ran).toBe(true);
    expect(await store.read(db)).toEqual([]);
  });

  it('digest: what the store reads (in SQL where the driver can) equals historyDigest of the rows, absent table included', async () => {
    const { db, adapter } = await open(ctx.database.url);
    const table = tableOf(adapter);
    const store = new TrackingStore(table, adapter, 'contract');
    expect(await store.digest(db)).toBe(historyDigest([]));
    await adapter.ensureTrackingTables(db, table, 5_000);
    expect(await store.digest(db)).toBe(historyDigest([]));
    await store.run(
      db,
      store.insert(db, { version: 10, name: 'ten', checksum: 'c10', state: 'applied', executionMs: 1 }),
      store.insert(db, { version: 2, name: 'two_b', checksum: 'c2', state: 'applied', executionMs: 1 }),
      store.insert(db, { version: 3, name: 'three-x', checksum: 'c3', state: 'running', executionMs: 0 }),
    );
    const rows = await store.read(db);
    expect(rows?.map((r) => r.version)).toEqual([2, 3, 10]);
    // Versions 2 and 10 also check the order: numeric, as historyDigest sorts, not as text.
    expect(await store.digest(db)).toBe(historyDigest(rows ?? []));
    expect(await store.digest(db)).not.toBe(historyDigest([]));
  });

  it('lock: a second connection waits, then times out with LockTimeoutError; after release it gets the lock', async () => {
    const first = await open(ctx.database.url);
    const second = await open(ctx.database.url);
    const table = tableOf(first.adapter);
    await first.adapter.ensureTrackingTables(first.db, table, 5_000);
    const inside = deferred();
    const release = deferred();
    const holding = first.adapter.runLocked(first.db, table, LOCK, undefined, async () => {
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const short = { ...LOCK, lockTimeoutMs: 300 };
    const waited = await second.adapter
      .runLocked(second.db, table, short, undefined, async () => 'ran')
      .catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(LockTimeoutError);
    expect((waited as LockTimeoutError).exitCode).toBe(4);
    release.resolve();
    await holding;
    expect(await second.adapter.runLocked(second.db, table, LOCK, undefined, async () => 'ran')).toEqual({
      ran: true,
      value: 'ran',
    });
  });

  it('session lock: held across statements, visible to others as held, excludes locked runs, released after', async () => {
    const first = await open(ctx.database.url);
    const second = await open(ctx.database.url);
    const table = tableOf(first.adapter);
    await first.adapter.ensureTrackingTables(first.db, table, 5_000);
    expect(await second.adapter.isLockHeld(second.db, table)).toBe(false);
    const inside = deferred();
    const release = deferred();
    const holding = first.adapter.withSessionLock(first.db, table, LOCK, async (conn) => {
      await first.adapter.executeScript(conn, 'create table s1 (id integer)', { inTransaction: false });
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    expect(await second.adapter.isLockHeld(second.db, table)).toBe(true);
    const blocked = await second.adapter
      .runLocked(second.db, table, { ...LOCK, lockTimeoutMs: 300 }, undefined, async () => undefined)
      .catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(LockTimeoutError);
    release.resolve();
    await holding;
    expect(await second.adapter.isLockHeld(second.db, table)).toBe(false);
  });

  it('a failing locked run rolls back its changes and its writes', async () => {
    const { db, adapter } = await open(ctx.database.url);
    const table = tableOf(adapter);
    const store = new TrackingStore(table, adapter, 'contract');
    await adapter.ensureTrackingTables(db, table, 5_000);
    const failed = await adapter
      .runLocked(db, table, LOCK, undefined, async (trx, finish) => {
        await adapter.executeScript(trx, 'create table gone (id integer);', { inTransaction: true });
        finish(store.insert(trx, { version: 1, name: 'a', checksum: 'x', state: 'applied', executionMs: 0 }));
        throw new Error('boom');
      })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toBe('boom');
    expect(await store.read(db)).toEqual([]);
    const tables = await ctx.database.query(
      ctx.dialect === 'sqlite'
        ? "select name from sqlite_master where name = 'gone'"
        : "select tablename from pg_tables where tablename = 'gone'",
    );
    expect(tables).toEqual([]);
  });

  it('scripts: several statements run; an error names the line and the statement', async () => {
    const { db, adapter } = await open(ctx.database.url);
    await adapter.executeScript(db, 'create table s (id integer);\ninsert into s values (1);\n', {
      inTransaction: false,
    });
    expect(await ctx.database.query('select id from s')).toEqual([{ id: 1 }]);
    const error = await adapter
      .executeScript(db, 'insert into s values (2);\n\ninsert into nowhere values (1);\n', {
        inTransaction: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).location.line).toBe(3);
    expect((error as ScriptError).location.statement).toMatch(/nowhere/);
    expect(adapter.describeError((error as ScriptError).cause).message).toMatch(/nowhere/);
    expect(adapter.findNonTransactionalStatement('select 1; vacuum;')).toMatch(/vacuum/i);
  });
});
