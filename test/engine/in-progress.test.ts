import { afterEach, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { type OpenDatabase, openDatabase } from '../../src/dialects/open-database.ts';
import { ForceRefusedError } from '../../src/engine/errors.ts';
import { Migrator } from '../../src/engine/migrator.ts';
import { FileMigrationProvider } from '../../src/sources/file-migration-provider.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10.3: a non-transactional step still running in another process is "in
 * progress", not dirty; `force` refuses to touch it, and refuses to forget a
 * step that finished cleanly (the row would go while its tables stay).
 */
const gates = globalThis as { __kmigrateSlow?: Promise<void>; __kmigrateEntered?: () => void };

const SLOW_NON_TX = `import type { Kysely } from 'kysely';
export const transaction = false;
export async function up(db: Kysely<any>): Promise<void> {
  const g = globalThis as { __kmigrateSlow?: Promise<void>; __kmigrateEntered?: () => void };
  g.__kmigrateEntered?.();
  await g.__kmigrateSlow;
  await db.schema.createTable('slow').addColumn('id', 'integer').execute();
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('slow').execute();
}
`;

const opened: OpenDatabase[] = [];
afterEach(async () => {
  gates.__kmigrateSlow = undefined;
  gates.__kmigrateEntered = undefined;
  for (const o of opened.splice(0)) await o.close();
});

async function migrator(url: string, dir: string): Promise<Migrator> {
  const open = await openDatabase(parseDatabaseUrl(url));
  opened.push(open);
  return new Migrator({
    db: open.db,
    adapter: open.adapter,
    sources: () => new FileMigrationProvider({ migrationFolder: dir }).loadSources(),
  });
}

const folder = migrationFolders();

describeEachDialect('in progress is not dirty', (ctx) => {
  it('status says in-progress while the step runs; force refuses then, and after it finished cleanly', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_slow.ts': SLOW_NON_TX });
    let release!: () => void;
    gates.__kmigrateSlow = new Promise<void>((r) => {
      release = r;
    });
    const entered = new Promise<void>((r) => {
      gates.__kmigrateEntered = r;
    });
    const running = (await migrator(ctx.database.url, dir)).latest();
    await entered;

    const other = await migrator(ctx.database.url, dir);
    const status = await other.status();
    expect(status.entries.map((e) => [e.version, e.state])).toEqual([
      [1, 'applied'],
      [2, 'in-progress'],
    ]);
    expect([status.dirty, status.inProgress]).toEqual([false, true]);
    const refused = await other.force(2, { notApplied: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ForceRefusedError);
    expect((refused as ForceRefusedError).reason).toBe('in-progress');
    expect((refused as Error).message).toMatch(/still running in another process/);

    release();
    await running;
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    const clean = await other.force(2, { notApplied: true }).catch((e: unknown) => e);
    expect(clean).toBeInstanceOf(ForceRefusedError);
    expect((clean as ForceRefusedError).exitCode).toBe(4);
    expect((clean as Error).message).toMatch(/applied and finished cleanly.*--override/);
    // Nothing was forgotten: the row and the table are both there.
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect(await tableExists(ctx.database, 'slow')).toBe(true);

    // The explicit override still works.
    await other.force(2, { notApplied: true, override: true });
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
  });

  it('a step that died (row running, nobody holds the lock) is dirty, and force clears it', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    const m = await migrator(ctx.database.url, dir);
    await m.latest();
    await ctx.database.query("update schema_migrations set state = 'running' where version = 1");
    const status = await m.status();
    expect([status.dirty, status.inProgress, status.entries[0]?.state]).toEqual([true, false, 'dirty']);
    await m.force(1);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    const actions = await ctx.database.query<{ action: string }>(
      'select action from schema_migrations_history order by id',
    );
    expect(actions.map((a) => a.action)).toEqual(['up', 'force']);
  });
});
