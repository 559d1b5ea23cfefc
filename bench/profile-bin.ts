/**
 * Where the bin's time goes on PostgreSQL: `npx tsx bench/profile-bin.ts [N]`.
 * Starts the bench's durable PostgreSQL, writes the B2 workload, and runs the
 * package bin (`latest`, as B2 does) with `--cpu-prof` into bench/results/profiles/,
 * printing its wall time next to the same run with nothing pending. PROFILE_NO_BUILD=1 keeps
 * the current build (and its code cache, as earlier runs left it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildCli } from '../bin/build-cli.mjs';
import { createDatabase, startBenchPostgres } from './lib/postgres-server.ts';
import { oursEnv } from './lib/tools.ts';
import { writeWorkload } from './lib/workload.ts';

const n = Number(process.argv[2] ?? 100);
const root = path.resolve(import.meta.dirname, '..');
const profiles = path.join(root, 'bench', 'results', 'profiles');
fs.mkdirSync(profiles, { recursive: true });
if (!process.env.PROFILE_NO_BUILD) await buildCli({ quiet: true });
const w = writeWorkload(n, 'postgres');
const server = await startBenchPostgres();
try {
  const db = await createDatabase(server, 'profile_bin');
  for (const label of ['pending', 'no-op']) {
    const started = performance.now();
    const args = ['--cpu-prof', `--cpu-prof-dir=${profiles}`, path.join(root, 'bin', 'kmigrate.cjs')];
    const run = spawnSync('node', [...args, 'latest', '--url', db.url, '--dir', w.sqlDir, '--no-codegen'], {
      cwd: w.root,
      env: oursEnv(),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`bin exited ${run.status}: ${run.stderr}`);
    console.log(`${label} N=${n}: ${(performance.now() - started).toFixed(0)} ms`);
  }
  await db.drop();
} finally {
  await server.stop();
}
