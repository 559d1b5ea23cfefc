/**
 * B3, the no-op deploy step as a process: `latest` on PostgreSQL with 100
 * migrations applied, spawn to exit, for kmigrate's bin, Kysely's Migrator
 * and dbmate, next to `node -e 0` measured in the same run (interleaved).
 */
import type { BenchContext } from './lib/context.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { runChecked } from './lib/run-process.ts';
import { type Summary, summarize } from './lib/stats.ts';
import { dbmateArgs, dbmateBinary, kyselyPeerArgs, oursEnv, oursLatestArgs } from './lib/tools.ts';
import { writeWorkload } from './lib/workload.ts';

export const B3_APPLIED = 100;

export interface B3Row {
  name: string;
  label: string;
  ms: Summary;
}

export interface B3Result {
  runs: number;
  rows: B3Row[];
}

export async function runB3(ctx: BenchContext): Promise<B3Result> {
  const runs = ctx.quick ? 3 : 10;
  const w = writeWorkload(B3_APPLIED, 'postgres');
  const dbs = await Promise.all(['ours', 'kysely', 'dbmate'].map((t) => createDatabase(ctx.pg, `b3_${t}`)));
  const [ours, kysely, dbmate] = dbs.map((d) => d.url) as [string, string, string];
  try {
    const variants = [
      { name: 'node', label: '`node -e 0`', run: () => runChecked('node', ['-e', '0']) },
      {
        name: 'ours-bin',
        label: 'kmigrate bin `latest`',
        run: () => runChecked('node', oursLatestArgs(ctx, ours, w.sqlDir), { cwd: w.root, env: oursEnv() }),
      },
      {
        name: 'kysely',
        label: "Kysely's Migrator (its own process)",
        run: () => runChecked('node', kyselyPeerArgs(ctx, w, kysely), { cwd: w.root }),
      },
      { name: 'dbmate', label: 'dbmate up', run: () => runChecked(dbmateBinary(), dbmateArgs(w, dbmate)) },
    ];
    // The first call applies the 100 migrations; from then on every call is a no-op.
    for (const v of variants) await v.run();
    const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    for (let i = 0; i < runs; i++) {
      for (const [k] of variants.entries()) {
        const v = variants[(k + i) % variants.length]!;
        samples.get(v.name)!.push((await v.run()).ms);
      }
    }
    const rows = variants.map((v) => ({ name: v.name, label: v.label, ms: summarize(samples.get(v.name)!) }));
    ctx.log(`B3 no-op process: ${rows.map((r) => `${r.name} ${Math.round(r.ms.median)} ms`).join(', ')}`);
    return { runs, rows };
  } finally {
    for (const d of dbs) await d.drop();
  }
}
