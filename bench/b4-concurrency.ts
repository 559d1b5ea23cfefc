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
import { type BenchContext, benchDialects, sqliteFile } from './lib/context.ts';
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
      };
      rows.push(row);
      ctx.log(
        `B4 ${dialect} ${tool}: 1 starter ${Math.round(row.single.median)} ms, ${STARTERS} starters ${Math.round(row.concurrent.median)} ms, release ${Math.round(row.release.median)} ms, failed ${row.failedStarters}`,
      );
    }
  }
  return { reps, rows };
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
