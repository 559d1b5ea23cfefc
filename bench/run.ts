/**
 * `npm run bench`: starts one durable PostgreSQL 17, runs every benchmark
 * against it (and SQLite temp files), writes bench/results/*.json and
 * regenerates docs/benchmarks.md with its charts.
 *
 *   --quick (or BENCH_QUICK=1)  few repetitions (development runs; bench/results/*.quick.json)
 *   BENCH_ONLY=b1,b5     run only these benchmarks; the others keep their last results
 *   BENCH_DIALECTS=sqlite  one dialect only (development)
 *   BENCH_DATABASE_URL   use this server instead of starting one (must allow CREATE DATABASE)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../bin/build-cli.mjs';
import { runB1 } from './b1-noop-startup.ts';
import { runB2 } from './b2-apply.ts';
import { runB3 } from './b3-noop-process.ts';
import { runB4 } from './b4-concurrency.ts';
import { runB5 } from './b5-cold-start.ts';
import { runB6 } from './b6-codegen.ts';
import { runB7 } from './b7-remote-apply.ts';
import { BENCH_TMP, type BenchContext } from './lib/context.ts';
import { startBenchPostgres } from './lib/postgres-server.ts';
import { writeReport } from './report.ts';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(root, 'bench', 'results');
const quick = Boolean(process.env.BENCH_QUICK) || process.argv.includes('--quick');
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim().toLowerCase());
const wanted = (name: string) => !only || only.includes(name);

const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<unknown>> = {
  b1: runB1,
  b2: runB2,
  b3: runB3,
  b4: runB4,
  b5: runB5,
  b6: runB6,
  b7: runB7,
};

async function main(): Promise<void> {
  const started = Date.now();
  const tmp = BENCH_TMP;
  fs.mkdirSync(tmp, { recursive: true });
  // B2, B4 and B5 start the package bin; it must run the current sources from the bundle.
  await buildCli({ quiet: true });
  const pg = await startBenchPostgres();
  const stop = () => void pg.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
  log(`PostgreSQL ${pg.version}: ${JSON.stringify(pg.settings)}${quick ? ' (BENCH_QUICK)' : ''}`);
  const ctx: BenchContext = { pg, quick, root, tmp, log };
  try {
    for (const [name, run] of Object.entries(BENCHMARKS)) {
      if (!wanted(name)) continue;
      const result = await run(ctx);
      const file = path.join(resultsDir, `${name}${quick ? '.quick' : ''}.json`);
      fs.writeFileSync(file, `${JSON.stringify({ ...environment(pg, quick), result }, null, 2)}\n`);
      log(`wrote ${path.relative(root, file)}`);
    }
  } finally {
    await pg.stop();
  }
  const report = writeReport(root, { quick });
  log(`wrote ${path.relative(root, report)}`);
}

function environment(pg: BenchContext['pg'], quick: boolean) {
  return {
    measuredAt: new Date().toISOString(),
    quick,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtWrite: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    postgres: { version: pg.version, settings: pg.settings },
  };
}

await main();
