import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { type OpenDatabase, openDatabase } from '../../src/dialects/open-database.ts';
import { ConflictingMigrationError, HistoryChangedError } from '../../src/engine/errors.ts';
import { Migrator, type MigratorOptions } from '../../src/engine/migrator.ts';
import { FileMigrationProvider } from '../../src/sources/file-migration-provider.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10.1 and #10.2, deterministically: process A's `latest` is held inside
 * migration 3 (a gate), holding the migration lock, while B reads the history,
 * plans, and queues for the lock. When A commits, B must see under the lock
 * that its plan is stale: re-plan (latest), refuse (down), or refuse a
 * different file under the same version.
 */
interface Gate {
  entered: Promise<void>;
  release(): void;
}
const gates = globalThis as { __kmigrateGate?: () => Promise<void> };

function armGate(): Gate {
  let entered!: () => void;
  let release!: () => void;
  const enteredPromise = new Promise<void>((r) => {
    entered = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  gates.__kmigrateGate = async () => {
    gates.__kmigrateGate = undefined;
    entered();
    await released;
  };
  return { entered: enteredPromise, release };
}

/** A migration creating `table` that first waits at the gate (when one is armed). */
function gatedTableModule(table: string): string {
  return tableModule(table).replace(
    'export async function up(db: AnyKysely): Promise<void> {',
    'export async function up(db: AnyKysely): Promise<void> {\n  await (globalThis as { __kmigrateGate?: () => Promise<void> }).__kmigrateGate?.();',
  );
}

const opened: OpenDatabase[] = [];
afterEach(async () => {
  gates.__kmigrateGate = undefined;
  for (const o of opened.splice(0)) await o.close();
});

async function migrator(url: string, dir: string, extra: Partial<MigratorOptions> = {}): Promise<Migrator> {
  const open = await openDatabase(parseDatabaseUrl(url));
  opened.push(open);
  return new Migrator({
    db: open.db,
    adapter: open.adapter,
    sources: () => new FileMigrationProvider({ migrationFolder: dir }).loadSources(),
    lockTimeoutMs: 20_000,
    ...extra,
  });
}

/** Resolves when the migrator has read and planned, and is about to take the lock (for the run, or for its first step behind a pooler). */
function planned(): { onEvent: MigratorOptions['onEvent']; waiting: Promise<void> } {
  let resolve!: () => void;
  const waiting = new Promise<void>((r) => {
    resolve = r;
  });
  return { onEvent: (e) => (e.type === 'lock' || e.type === 'start' ? resolve() : undefined), waiting };
}

async function historyActions(ctx: { database: { query<T>(sql: string): Promise<T[]> } }) {
  const rows = await ctx.database.query<{ version: number; action: string }>(
    'select version, action from schema_migrations_history order by id',
  );
  return rows.map((r) => `${Number(r.version)} ${r.action}`);
}

const folder = migrationFolders();

describeEachDialect('plans are made under the lock', (ctx) => {
  it('#10.1: a down queued behind a latest refuses (exit 4) instead of reverting 2 under 3', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_b.ts': tableModule('b'),
      '003_c.ts': gatedTableModule('c'),
    });
    const a = await migrator(ctx.database.url, dir);
    await a.up({ target: 2 });

    const gate = armGate();
    const latest = a.latest();
    await gate.entered;
    const b = planned();
    const down = (await migrator(ctx.database.url, dir, { onEvent: b.onEvent })).down();
    const downOutcome = down.catch((error: unknown) => error);
    await b.waiting;
    gate.release();

    expect((await latest).results.map((r) => [r.version, r.status])).toEqual([[3, 'applied']]);
    const error = await downOutcome;
    expect(error).toBeInstanceOf(HistoryChangedError);
    expect((error as HistoryChangedError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(/3_c applied.*nothing was changed/);

    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    expect(await historyActions(ctx)).toEqual(['1 up', '2 up', '3 up']);
    for (const t of ['a', 'b', 'c']) expect(await tableExists(ctx.database, t)).toBe(true);
  });

  it('a latest queued behind another latest re-plans: the step done meanwhile is skipped, nothing runs twice', async () => {
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_b.ts': gatedTableModule('b'),
      '003_c.ts': tableModule('c'),
    });
    const a = await migrator(ctx.database.url, dir);
    await a.up({ target: 1 });
    const gate = armGate();
    const first = a.up({ target: 2 });
    await gate.entered;
    const b = planned();
    const second = (await migrator(ctx.database.url, dir, { onEvent: b.onEvent })).latest();
    await b.waiting;
    gate.release();

    expect((await first).results.map((r) => [r.version, r.status])).toEqual([[2, 'applied']]);
    expect((await second).results.map((r) => [r.version, r.status])).toEqual([
      [2, 'skipped'],
      [3, 'applied'],
    ]);
    expect(await historyActions(ctx)).toEqual(['1 up', '2 up', '3 up']);
    expect(await tableExists(ctx.database, 'c')).toBe(true);
  });

  it('#10.2: another release applied the same version from a different file: exit 4 naming both', async () => {
    const old = folder({ '001_a.ts': tableModule('a'), '002_foo.ts': gatedTableModule('foo') });
    const newer = folder({ '001_a.ts': tableModule('a'), '002_bar.ts': tableModule('bar') });
    const a = await migrator(ctx.database.url, old);
    await a.up({ target: 1 });
    const gate = armGate();
    const first = a.latest();
    await gate.entered;
    const b = planned();
    const second = (await migrator(ctx.database.url, newer, { onEvent: b.onEvent }))
      .latest()
      .catch((error: unknown) => error);
    await b.waiting;
    gate.release();

    await first;
    const error = await second;
    expect(error).toBeInstanceOf(ConflictingMigrationError);
    expect((error as ConflictingMigrationError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(/as 2_foo .*has 002_bar\.ts \(2_bar/);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.name])).toEqual([
      [1, 'a'],
      [2, 'foo'],
    ]);
    expect(await tableExists(ctx.database, 'foo')).toBe(true);
    expect(await tableExists(ctx.database, 'bar')).toBe(false);
  });
});
