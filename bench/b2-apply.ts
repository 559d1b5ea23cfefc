/**
 * B2, apply N migrations on a fresh database: kmigrate (bin and in-process),
 * dbmate, Kysely's Migrator and the floor (psql -1 / sqlite3 in one
 * transaction) side by side, the order rotated per repetition. Every run is
 * checked on the database. Scaling t(1000)/t(100) and peak RSS come from the
 * same runs.
 */
import { type BenchContext, benchDialects, sqliteFile } from './lib/context.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { type Summary, summarize } from './lib/stats.ts';
import { TOOLS, type ToolName } from './lib/tools.ts';
import { assertWorkloadApplied } from './lib/verify.ts';
import { type BenchDialect, writeWorkload } from './lib/workload.ts';

export interface B2Row {
  dialect: BenchDialect;
  n: number;
  tool: ToolName;
  label: string;
  floor: boolean;
  /** Not a contender (e.g. ours with asynchronous commits): no target, not a peer. */
  diagnostic: boolean;
  ms: Summary;
  samples: number[];
  /** Peak RSS (MiB) over the repetitions; absent for the in-process run. */
  peakRssMiB?: Summary;
}

export interface B2Result {
  rows: B2Row[];
  /** Repetitions per N. */
  reps: Record<number, number>;
}

export async function runB2(ctx: BenchContext): Promise<B2Result> {
  // Five at N=100 and three at N=1000: with two, one slow run of a peer (this VM moves single runs by ±30 %) was half the median.
  const reps: Record<number, number> = ctx.quick ? { 100: 2, 1000: 1 } : { 100: 5, 1000: 3 };
  const rows: B2Row[] = [];
  for (const dialect of benchDialects()) {
    const tools = TOOLS.filter((t) => t.dialects.includes(dialect));
    for (const n of [100, 1000]) {
      const w = writeWorkload(n, dialect);
      const samples = new Map<ToolName, number[]>(tools.map((t) => [t.name, []]));
      const rss = new Map<ToolName, number[]>(tools.map((t) => [t.name, []]));
      for (let rep = 0; rep < reps[n]!; rep++) {
        // Rotated order: no tool always runs first (cold caches) or last.
        const order = tools.map((_, i) => tools[(i + rep) % tools.length]!);
        for (const tool of order) {
          const db =
            dialect === 'postgres'
              ? await createDatabase(ctx.pg, `b2_${tool.name.replaceAll('-', '_')}_${n}`)
              : (() => {
                  const f = sqliteFile(ctx, `b2-${tool.name}-${n}`);
                  return { url: f.url, drop: async () => f.drop() };
                })();
          try {
            await tool.prepare?.(db.url);
            const run = await tool.run(ctx, w, db.url);
            await assertWorkloadApplied(
              dialect,
              db.url,
              n,
              tool.trackingCount,
              `B2 ${tool.name} ${dialect} N=${n}`,
            );
            samples.get(tool.name)!.push(run.ms);
            if (run.peakRssKiB !== undefined) rss.get(tool.name)!.push(run.peakRssKiB / 1024);
          } finally {
            await db.drop();
          }
        }
      }
      for (const tool of tools) {
        const s = samples.get(tool.name)!;
        const r = rss.get(tool.name)!;
        rows.push({
          dialect,
          n,
          tool: tool.name,
          label: tool.label,
          floor: tool.floor ?? false,
          diagnostic: tool.diagnostic ?? false,
          ms: summarize(s),
          samples: s.map(Math.round),
          ...(r.length ? { peakRssMiB: summarize(r) } : {}),
        });
      }
      ctx.log(
        `B2 ${dialect} N=${n}: ${tools.map((t) => `${t.name} ${Math.round(summarize(samples.get(t.name)!).median)} ms`).join(', ')}`,
      );
    }
  }
  return { rows, reps };
}
