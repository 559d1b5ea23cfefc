/**
 * B5, CLI cold start: `status` on PostgreSQL (100 applied migrations) as a new
 * process each time, against `node -e 0` measured in the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './lib/context.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { runChecked } from './lib/run-process.ts';
import { ratio, type Summary, summarize } from './lib/stats.ts';
import { oursEnv, oursLatestArgs } from './lib/tools.ts';
import { writeWorkload } from './lib/workload.ts';

export interface B5Variant {
  name: string;
  label: string;
  ms: Summary;
  /** this / `node -e 0`. */
  vsNode: { min: number; median: number; max: number };
}

export interface B5Result {
  runs: number;
  variants: B5Variant[];
}

export async function runB5(ctx: BenchContext): Promise<B5Result> {
  const runs = ctx.quick ? 5 : 30;
  const w = writeWorkload(100, 'postgres');
  const db = await createDatabase(ctx.pg, 'b5_status');
  try {
    await runChecked('node', oursLatestArgs(ctx, db.url, w.sqlDir), { cwd: w.root, env: oursEnv() });
    const bin = path.join(ctx.root, 'bin', 'kmigrate.cjs');
    const status = ['status', '--url', db.url, '--dir', w.sqlDir];
    const tsx = path.join(ctx.root, 'node_modules', '.bin', 'tsx');
    const emptyTs = path.join(ctx.tmp, 'empty.ts');
    fs.writeFileSync(emptyTs, '\n');
    const env = oursEnv();
    const variants: { name: string; label: string; run: () => Promise<unknown> }[] = [
      { name: 'node', label: '`node -e 0`', run: () => runChecked('node', ['-e', '0']) },
      {
        name: 'bin-version',
        label: '`node bin/kmigrate.cjs --version` (loading the bundle, no database)',
        run: () => runChecked('node', [bin, '--version'], { env }),
      },
      {
        name: 'bin',
        label: '`node bin/kmigrate.cjs status`, deploy (--url, no kysely.config.ts)',
        run: () => runChecked('node', [bin, ...status], { cwd: w.root, env }),
      },
      {
        name: 'bin-ts-config',
        label: '`node bin/kmigrate.cjs status` in the project (kysely.config.ts loaded)',
        run: () => runChecked('node', [bin, ...status], { cwd: ctx.root, env }),
      },
      {
        name: 'bin-sources',
        label: '`node bin/kmigrate.cjs status` without the bundle (tsx fallback)',
        run: () =>
          runChecked('node', [bin, ...status], {
            cwd: ctx.root,
            env: { ...env, KMIGRATE_BIN_MODE: 'sources' },
          }),
      },
      {
        name: 'tsx-empty',
        label: '`tsx` running an empty file (what tsx itself costs)',
        run: () => runChecked(tsx, [emptyTs], { cwd: ctx.root, env }),
      },
      {
        name: 'tsx-script',
        label: '`tsx scripts/migrate.ts status` (what `npm run migrate` runs)',
        // As a user runs it: no KMIGRATE_BIN_MODE, so the bin itself checks that the bundle is current.
        run: () =>
          runChecked(tsx, ['scripts/migrate.ts', ...status], { cwd: ctx.root, env: withoutBinMode(env) }),
      },
      {
        name: 'npx-tsx',
        label: '`npx tsx scripts/migrate.ts status`',
        run: () => runChecked('npx', ['tsx', 'scripts/migrate.ts', ...status], { cwd: ctx.root, env }),
      },
    ];
    const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    for (const v of variants) await v.run(); // warm the page cache and the TS cache
    for (let i = 0; i < runs; i++) {
      for (const v of variants) {
        const t = performance.now();
        await v.run();
        samples.get(v.name)!.push(performance.now() - t);
      }
    }
    const node = summarize(samples.get('node')!);
    const result = variants.map((v) => {
      const ms = summarize(samples.get(v.name)!);
      return { name: v.name, label: v.label, ms, vsNode: ratio(ms, node) };
    });
    ctx.log(`B5: ${result.map((v) => `${v.name} ${Math.round(v.ms.median)} ms`).join(', ')}`);
    return { runs, variants: result };
  } finally {
    await db.drop();
  }
}

function withoutBinMode(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KMIGRATE_BIN_MODE: _mode, ...rest } = env;
  return rest;
}
