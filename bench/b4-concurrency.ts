/**
 * B4, many starters: 16 processes started at once on 100 pending migrations
 * (what start-up migration does when a deploy starts 16 replicas), kmigrate's
 * bin against Kysely's Migrator, each also alone. Afterwards the database must
 * show every migration applied exactly once (history rows counted).
 *
 * Release: the starter that applied the last migration held the lock until
 * then; how long after its exit the last other starter exits is how long the
 * waiters needed to notice that the lock was free and nothing was left to do.
 */

import { parseDatabaseUrl } from '../src/config/database-url.ts';
import { openDatabase } from '../src/dialects/open-database.ts';
import { type BenchContext, benchDialects, sqliteFile } from './lib/context.ts';
import { holdRunLock } from './lib/hold-run-lock.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { type ProcessRun, runProcess } from './lib/run-process.ts';
import { type Summary, summarize } from './lib/stats.ts';
import { kyselyPeerArgs, oursEnv, oursLatestArgs } from './lib/tools.ts';
import { assertWorkloadApplied, queryCount } from './lib/verify.ts';
import { type BenchDialect, type Workload, writeWorkload } from './lib/workload.ts';

export const STARTERS = 16;
export const PENDING = 100;

type Contender = 'ours' | 'kysely';

export interface B4Row {
  dialect: BenchDialect;
  tool: Contender;
  label: string;
  /** One starter alone. */
  single: Summary;
  /** 16 at once: spawn of the first to exit of the last. */
  concurrent: Summary;
  /** Last waiter's exit − exit of the starter that applied the last migration (ms). */
  release: Summary;
  /**
   * The same, once every starter had booted and queued for the lock (ours only): the bench held the
   * lock until all 16 were waiting, so no starter's own start-up is counted as release time.
   */
  releaseQueued?: Summary;
  /** Starters that exited non-zero, over all repetitions (ours must be 0). */
  failedStarters: number;
  /** Starters that applied at least one migration, median over repetitions. */
  workers: Summary;
}

export interface B4Result {
  reps: number;
  rows: B4Row[];
}

const LABEL: Record<Contender, string> = { ours: 'kmigrate bin', kysely: "Kysely's Migrator" };

export async function runB4(ctx: BenchContext): Promise<B4Result> {
  const reps = ctx.quick ? 1 : 2;
  const rows: B4Row[] = [];
  for (const dialect of benchDialects()) {
    const w = writeWorkload(PENDING, dialect);
    const acc = new Map<
      Contender,
      { single: number[]; many: number[]; release: number[]; failed: number; workers: number[] }
    >();
    for (const tool of ['ours', 'kysely'] as const)
      acc.set(tool, { single: [], many: [], release: [], failed: 0, workers: [] });
    const cells: [Contender, number][] = [
      ['ours', STARTERS],
      ['kysely', STARTERS],
      ['ours', 1],
      ['kysely', 1],
    ];
    for (let rep = 0; rep < reps; rep++) {
      for (const [k] of cells.entries()) {
        const [tool, starters] = cells[(k + rep) % cells.length]!;
        const db =
          dialect === 'postgres'
            ? await createDatabase(ctx.pg, `b4_${tool}_${starters}`)
            : (() => {
                const f = sqliteFile(ctx, `b4-${tool}-${starters}`);
                return { url: f.url, drop: async () => f.drop() };
              })();
        try {
          const started = performance.now();
          const runs = await Promise.all(Array.from({ length: starters }, () => start(ctx, tool, w, db.url)));
          const ms = Math.max(...runs.map((r) => r.endedAt)) - started;
          const failed = runs.filter((r) => r.code !== 0);
          if (tool === 'ours' && failed.length)
            throw new Error(
              `B4 ${dialect}: a starter exited ${failed[0]!.code}: ${failed[0]!.stderr.trim()}`,
            );
          await assertApplied(tool, dialect, db.url);
          const a = acc.get(tool)!;
          if (starters === 1) {
            a.single.push(ms);
            continue;
          }
          a.many.push(ms);
          a.failed += failed.length;
          const last = new RegExp(`applied\\s+0*${PENDING}_`);
          const worker = runs.find((r) => r.code === 0 && last.test(r.stdout));
          if (!worker)
            throw new Error(`B4 ${dialect} ${tool}: no starter reports the last migration applied`);
          const others = runs.filter((r) => r !== worker);
          a.release.push(Math.max(0, Math.max(...others.map((r) => r.endedAt)) - worker.endedAt));
          a.workers.push(runs.filter((r) => /applied\s+\S/.test(r.stdout)).length);
        } finally {
          await db.drop();
        }
      }
    }
    for (const tool of ['ours', 'kysely'] as const) {
      const a = acc.get(tool)!;
      const row: B4Row = {
        dialect,
        tool,
        label: LABEL[tool],
        single: summarize(a.single),
        concurrent: summarize(a.many),
        release: summarize(a.release),
        failedStarters: a.failed,
        workers: summarize(a.workers),
        // Five: the release is tens of milliseconds on a VM whose single runs move by as much.
        ...(tool === 'ours'
          ? { releaseQueued: await releaseWhenQueued(ctx, dialect, w, ctx.quick ? 1 : 5) }
          : {}),
      };
      rows.push(row);
      ctx.log(
        `B4 ${dialect} ${tool}: 1 starter ${Math.round(row.single.median)} ms, ${STARTERS} starters ${Math.round(row.concurrent.median)} ms, release ${Math.round(row.release.median)} ms${row.releaseQueued ? ` (all queued first: ${Math.round(row.releaseQueued.median)} ms)` : ''}, failed ${row.failedStarters}`,
      );
    }
  }
  return { reps, rows };
}

/**
 * Release measured without start-up lag: the bench holds the lock, starts the 16 starters, waits until
 * all are queued (PostgreSQL: 16 sessions idle after a failed try, LISTENing; SQLite, where nothing shows a waiter: a fixed
 * 6 s, well past the ~3 s 16 starters take to boot here), then frees it as a run does. One starter
 * applies everything; the time from its exit to the last other exit is the waiters' release.
 */
async function releaseWhenQueued(
  ctx: BenchContext,
  dialect: BenchDialect,
  w: Workload,
  reps: number,
): Promise<Summary> {
  const release: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const db =
      dialect === 'postgres'
        ? await createDatabase(ctx.pg, 'b4_ours_queued')
        : (() => {
            const f = sqliteFile(ctx, 'b4-ours-queued');
            return { url: f.url, drop: async () => f.drop() };
          })();
    try {
      // The tracking tables first: starters on a fresh database would queue for the lock that creates
      // them (polled), not for the run's lock (woken by NOTIFY on PostgreSQL).
      await createTrackingTables(db.url);
      const held = await holdRunLock(dialect, db.url);
      const runs = Array.from({ length: STARTERS }, () => start(ctx, 'ours', w, db.url));
      const deadline = performance.now() + 60_000;
      if (dialect === 'postgres') {
        while (((await held.waiting()) ?? 0) < STARTERS) {
          if (performance.now() > deadline) throw new Error('B4: the starters never all queued for the lock');
          await new Promise((r) => setTimeout(r, 20));
        }
      } else {
        await new Promise((r) => setTimeout(r, 6_000));
      }
      await held.release();
      const done = await Promise.all(runs);
      const failed = done.find((r) => r.code !== 0);
      if (failed)
        throw new Error(`B4 ${dialect} (queued): a starter exited ${failed.code}: ${failed.stderr.trim()}`);
      await assertApplied('ours', dialect, db.url);
      const last = new RegExp(`applied\\s+0*${PENDING}_`);
      const worker = done.find((r) => last.test(r.stdout));
      if (!worker) throw new Error(`B4 ${dialect} (queued): no starter reports the last migration applied`);
      const others = done.filter((r) => r !== worker);
      release.push(Math.max(0, Math.max(...others.map((r) => r.endedAt)) - worker.endedAt));
    } finally {
      await db.drop();
    }
  }
  return summarize(release);
}

/** kmigrate's tracking tables, empty, as its first run creates them (through the driver itself). */
async function createTrackingTables(url: string): Promise<void> {
  const opened = await openDatabase(parseDatabaseUrl(url));
  try {
    await opened.adapter.ensureTrackingTables(
      opened.db,
      { schema: 'public', name: 'schema_migrations' },
      10_000,
    );
  } finally {
    await opened.close();
  }
}

function start(ctx: BenchContext, tool: Contender, w: Workload, url: string): Promise<ProcessRun> {
  return tool === 'ours'
    ? runProcess('node', oursLatestArgs(ctx, url, w.sqlDir), { cwd: w.root, env: oursEnv() })
    : runProcess('node', kyselyPeerArgs(ctx, w, url), { cwd: w.root });
}

/** 100 tables, 100 tracking rows and, for ours, 100 `up` history rows: nothing applied twice. */
async function assertApplied(tool: Contender, dialect: BenchDialect, url: string): Promise<void> {
  const tracking = tool === 'ours' ? 'schema_migrations' : 'kysely_migration';
  await assertWorkloadApplied(dialect, url, PENDING, `select count(*) as n from ${tracking}`, `B4 ${tool}`);
  if (tool !== 'ours') return;
  const applies = await queryCount(
    dialect,
    url,
    `select count(*) as n from schema_migrations_history where action = 'up'`,
  );
  if (applies !== PENDING) throw new Error(`B4 ${dialect}: ${applies} applies recorded, expected ${PENDING}`);
}
