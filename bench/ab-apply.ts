/**
 * A/B timing of one apply workload, alternating tools, for development:
 * `npx tsx bench/ab-apply.ts [N] [rounds]`. Runs psql -1 and the package bin
 * (`latest`) on fresh databases of the bench's durable PostgreSQL, rounds times
 * in turn, and prints each run's wall time and the bin's own CPU (user+sys).
 * AB_NODE_FLAGS adds node flags to the bin's process (e.g. GC settings);
 * AB_BASELINE=<another checkout, built> adds that checkout's bin as a third tool
 * ("base"), to compare a change with the code before it in the same minutes;
 * AB_DBMATE=1 adds dbmate (the best peer at N=100) to each round.
 * Not part of `npm run bench`: B2 is the measurement that is reported.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildCli } from '../bin/build-cli.mjs';
import { createDatabase, startBenchPostgres } from './lib/postgres-server.ts';
import { dbmateArgs, dbmateBinary, oursEnv } from './lib/tools.ts';
import { writeWorkload } from './lib/workload.ts';

const n = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const root = path.resolve(import.meta.dirname, '..');
await buildCli({ quiet: true });
const w = writeWorkload(n, 'postgres');
const server = await startBenchPostgres();

function timed(command: string, args: string[]): { ms: number; cpuMs: number; sysMs: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S', command, ...args], {
    cwd: w.root,
    env: oursEnv(),
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command} exited ${run.status}: ${run.stderr}`);
  const [user, sys] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { ms, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, sysMs: (sys ?? 0) * 1000 };
}

/** The bin of a checkout (bin/kmigrate.mjs before session 9). */
function binOf(checkout: string): string {
  const cjs = path.join(checkout, 'bin', 'kmigrate.cjs');
  return fs.existsSync(cjs) ? cjs : path.join(checkout, 'bin', 'kmigrate.mjs');
}

try {
  for (let round = 0; round < rounds; round++) {
    const line: string[] = [];
    const baseline = process.env.AB_BASELINE;
    const tools = [
      'psql',
      ...(baseline ? (['base'] as const) : []),
      ...(process.env.AB_DBMATE ? (['dbmate'] as const) : []),
      'bin',
    ] as const;
    for (const tool of tools) {
      const db = await createDatabase(server, `ab_${tool}_${round}`);
      const t =
        tool === 'psql'
          ? timed('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', w.concatenatedFile, db.url])
          : tool === 'dbmate'
            ? timed(dbmateBinary(), dbmateArgs(w, db.url))
            : timed('node', [
                ...(process.env.AB_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
                binOf(tool === 'base' && baseline ? baseline : root),
                'latest',
                '--url',
                db.url,
                '--dir',
                w.sqlDir,
                '--no-codegen',
              ]);
      line.push(
        `${tool} ${t.ms.toFixed(0)} ms (cpu ${t.cpuMs.toFixed(0)}, of which sys ${t.sysMs.toFixed(0)})`,
      );
      await db.drop();
    }
    console.log(`N=${n} round ${round + 1}: ${line.join(', ')}`);
  }
} finally {
  await server.stop();
}
