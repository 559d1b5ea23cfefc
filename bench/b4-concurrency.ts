/**
 * B4, concurrency: 16 starters (separate processes, the package bin) started
 * at once on 100 pending migrations, against one starter alone. Afterwards the
 * database must show every migration applied exactly once.
 */
import { type BenchContext, sqliteFile } from './lib/context.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { runProcess } from './lib/run-process.ts';
import { ratio, type Summary, summarize } from './lib/stats.ts';
import { oursEnv, oursLatestArgs } from './lib/tools.ts';
import { assertWorkloadApplied, queryCount } from './lib/verify.ts';
import { type BenchDialect, writeWorkload } from './lib/workload.ts';

export const STARTERS = 16;
export const PENDING = 100;

export interface B4Row {
  dialect: BenchDialect;
  single: Summary;
  concurrent: Summary;
  /** concurrent / single. */
  ratio: { min: number; median: number; max: number };
  /** 16 × `node -e 0` at once: what process start-up alone costs on this machine. */
  nodeStartups: Summary;
  nodeStartupSingle: Summary;
  /** 16 × `status` at once (no lock taken): the start-up, connect and read of 16 CLIs, without migrating. */
  statusStartups: Summary;
}

export async function runB4(ctx: BenchContext): Promise<B4Row[]> {
  const reps = ctx.quick ? 2 : 5;
  const rows: B4Row[] = [];
  for (const dialect of ['postgres', 'sqlite'] as const) {
    const w = writeWorkload(PENDING, dialect);
    const single: number[] = [];
    const concurrent: number[] = [];
    const nodeMany: number[] = [];
    const nodeOne: number[] = [];
    const statusMany: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      for (const starters of rep % 2 ? [STARTERS, 1] : [1, STARTERS]) {
        const db =
          dialect === 'postgres'
            ? await createDatabase(ctx.pg, `b4_${starters}`)
            : (() => {
                const f = sqliteFile(ctx, `b4-${starters}`);
                return { url: f.url, drop: async () => f.drop() };
              })();
        try {
          const started = performance.now();
          const runs = await Promise.all(
            Array.from({ length: starters }, () =>
              runProcess('node', oursLatestArgs(ctx, db.url, w.sqlDir), { cwd: w.root, env: oursEnv() }),
            ),
          );
          const ms = performance.now() - started;
          const failed = runs.find((r) => r.code !== 0);
          if (failed)
            throw new Error(`B4 ${dialect}: a starter exited ${failed.code}: ${failed.stderr.trim()}`);
          await assertWorkloadApplied(
            dialect,
            db.url,
            PENDING,
            `select count(*) as n from schema_migrations`,
            'B4',
          );
          const applies = await queryCount(
            dialect,
            db.url,
            `select count(*) as n from schema_migrations_history where action = 'up'`,
          );
          if (applies !== PENDING)
            throw new Error(`B4 ${dialect}: ${applies} applies recorded, expected ${PENDING}`);
          (starters === 1 ? single : concurrent).push(ms);
          if (starters === STARTERS) {
            const args = oursLatestArgs(ctx, db.url, w.sqlDir).map((a) => (a === 'latest' ? 'status' : a));
            const t = performance.now();
            await Promise.all(
              Array.from({ length: STARTERS }, () =>
                runProcess(
                  'node',
                  args.filter((a) => a !== '--no-codegen'),
                  { cwd: w.root, env: oursEnv() },
                ),
              ),
            );
            statusMany.push(performance.now() - t);
          }
        } finally {
          await db.drop();
        }
      }
      for (const starters of [1, STARTERS]) {
        const started = performance.now();
        await Promise.all(Array.from({ length: starters }, () => runProcess('node', ['-e', '0'])));
        (starters === 1 ? nodeOne : nodeMany).push(performance.now() - started);
      }
    }
    const s = summarize(single);
    const c = summarize(concurrent);
    const row: B4Row = {
      dialect,
      single: s,
      concurrent: c,
      ratio: ratio(c, s),
      nodeStartups: summarize(nodeMany),
      nodeStartupSingle: summarize(nodeOne),
      statusStartups: summarize(statusMany),
    };
    ctx.log(
      `B4 ${dialect}: 1 starter ${Math.round(s.median)} ms, ${STARTERS} starters ${Math.round(c.median)} ms (${row.ratio.median.toFixed(2)}x); ${STARTERS} x node -e 0: ${Math.round(row.nodeStartups.median)} ms, ${STARTERS} x status: ${Math.round(row.statusStartups.median)} ms`,
    );
    rows.push(row);
  }
  return rows;
}
