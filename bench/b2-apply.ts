/**
 * B2, apply N = 10, 100, 1000 migrations on a fresh database, each tool as its
 * own process (spawn to exit). B3 (scaling) is read from the same runs.
 */
import { type BenchContext, sqliteFile } from './lib/context.ts';
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
  ms: Summary;
  samples: number[];
}

export interface B2Result {
  rows: B2Row[];
  /** Repetitions per N. */
  reps: Record<number, number>;
}

export async function runB2(ctx: BenchContext): Promise<B2Result> {
  const reps: Record<number, number> = ctx.quick ? { 10: 2, 100: 1, 1000: 1 } : { 10: 15, 100: 7, 1000: 3 };
  const rows: B2Row[] = [];
  for (const dialect of ['postgres', 'sqlite'] as const) {
    const tools = TOOLS.filter((t) => t.dialects.includes(dialect));
    for (const n of [10, 100, 1000]) {
      const w = writeWorkload(n, dialect);
      const samples = new Map<ToolName, number[]>(tools.map((t) => [t.name, []]));
      for (let rep = 0; rep < reps[n]!; rep++) {
        // Rotated order: no tool always runs first (cold caches) or last.
        const order = tools.map((_, i) => tools[(i + rep) % tools.length]!);
        for (const tool of order) {
          const db =
            dialect === 'postgres'
              ? await createDatabase(ctx.pg, `b2_${tool.name.replace('-', '_')}_${n}`)
              : (() => {
                  const f = sqliteFile(ctx, `b2-${tool.name}-${n}`);
                  return { url: f.url, drop: async () => f.drop() };
                })();
          try {
            const run = await tool.run(ctx, w, db.url);
            await assertWorkloadApplied(
              dialect,
              db.url,
              n,
              tool.trackingCount,
              `B2 ${tool.name} ${dialect} N=${n}`,
            );
            samples.get(tool.name)!.push(run.ms);
          } finally {
            await db.drop();
          }
        }
      }
      for (const tool of tools) {
        const s = samples.get(tool.name)!;
        rows.push({
          dialect,
          n,
          tool: tool.name,
          label: tool.label,
          ms: summarize(s),
          samples: s.map(Math.round),
        });
      }
      ctx.log(
        `B2 ${dialect} N=${n}: ${tools.map((t) => `${t.name} ${Math.round(summarize(samples.get(t.name)!).median)} ms`).join(', ')}`,
      );
    }
  }
  return { rows, reps };
}
