/**
 * B7, apply over a slow link: the B2 workload (N=100, PostgreSQL) through a
 * proxy that delays every packet by 5 ms each way — a database 10 ms away,
 * as a Supabase project is over the internet (often 20–80 ms). What a deploy
 * then waits for is round trips, so it measures how many each tool needs per
 * migration. Same tools and checks as B2, each its own process on a fresh
 * database; the proxy runs in the bench's process.
 */
import type { BenchContext } from './lib/context.ts';
import { startLatencyProxy } from './lib/latency-proxy.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { type Summary, summarize } from './lib/stats.ts';
import { TOOLS, type ToolName } from './lib/tools.ts';
import { assertWorkloadApplied } from './lib/verify.ts';
import { writeWorkload } from './lib/workload.ts';

export const B7_ONE_WAY_MS = 5;
export const B7_N = 100;

export interface B7Row {
  tool: ToolName;
  label: string;
  floor: boolean;
  ms: Summary;
  samples: number[];
}

export interface B7Result {
  oneWayMs: number;
  n: number;
  reps: number;
  rows: B7Row[];
}

const B7_TOOLS: readonly ToolName[] = ['psql', 'ours-bin', 'dbmate', 'kysely-ts'];

export async function runB7(ctx: BenchContext): Promise<B7Result> {
  const reps = ctx.quick ? 1 : 3;
  const tools = TOOLS.filter((t) => B7_TOOLS.includes(t.name) && t.dialects.includes('postgres'));
  const w = writeWorkload(B7_N, 'postgres');
  const proxy = await startLatencyProxy(ctx.pg.adminUrl, B7_ONE_WAY_MS);
  const samples = new Map<ToolName, number[]>(tools.map((t) => [t.name, []]));
  try {
    for (let rep = 0; rep < reps; rep++) {
      const order = tools.map((_, i) => tools[(i + rep) % tools.length]!);
      for (const tool of order) {
        const db = await createDatabase(ctx.pg, `b7_${tool.name.replaceAll('-', '_')}`);
        try {
          await tool.prepare?.(db.url);
          const run = await tool.run(ctx, w, proxy.urlFor(db.url));
          await assertWorkloadApplied('postgres', db.url, B7_N, tool.trackingCount, `B7 ${tool.name}`);
          samples.get(tool.name)!.push(run.ms);
        } finally {
          await db.drop();
        }
      }
    }
  } finally {
    await proxy.close();
  }
  const rows = tools.map((t) => {
    const s = samples.get(t.name)!;
    return {
      tool: t.name,
      label: t.label,
      floor: t.floor ?? false,
      ms: summarize(s),
      samples: s.map(Math.round),
    };
  });
  ctx.log(
    `B7 (${2 * B7_ONE_WAY_MS} ms round trip): ${rows.map((r) => `${r.tool} ${Math.round(r.ms.median)} ms`).join(', ')}`,
  );
  return { oneWayMs: B7_ONE_WAY_MS, n: B7_N, reps, rows };
}
