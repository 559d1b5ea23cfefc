import fs from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '../../src/config/database-url.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import { holdRunLock } from '../lib/hold-run-lock.ts';
import { createDatabase, startBenchPostgres } from '../lib/postgres-server.ts';
import { runProcess } from '../lib/run-process.ts';
import { oursEnv } from '../lib/tools.ts';
import { writeWorkload } from '../lib/workload.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const profDir = '/tmp/relprof';
fs.rmSync(profDir, { recursive: true, force: true });
fs.mkdirSync(profDir);
const w = writeWorkload(100, 'postgres');
const server = await startBenchPostgres();
const prof = process.argv[2] === 'prof';
try {
  for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
    const db = await createDatabase(server, 'relprof');
    const opened = await openDatabase(parseDatabaseUrl(db.url));
    await opened.adapter.ensureTrackingTables(opened.db, { schema: 'public', name: 'schema_migrations' }, 10_000);
    await opened.close();
    const held = await holdRunLock('postgres', db.url);
    const env = { ...oursEnv(), KMIGRATE_TRACE_WAKE: '1' };
    const flags = prof ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profDir}/${rep}`] : [];
    const runs = Array.from({ length: Number(process.env.STARTERS ?? 16) }, () =>
      runProcess('node', [...flags, path.join(root, 'bin', 'kmigrate.mjs'), 'latest', '--url', db.url, '--dir', w.sqlDir, '--no-codegen'], { cwd: w.root, env }),
    );
    const deadline = performance.now() + 30000;
    while (((await held.waiting()) ?? 0) < Number(process.env.STARTERS ?? 16) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const releasedAt = performance.now();
    await held.release();
    const done = await Promise.all(runs);
    const worker = done.find((r) => /applied\s+0*100_/.test(r.stdout))!;
    const others = done.filter((r) => r !== worker).map((r) => r.endedAt - worker.endedAt).sort((a, b) => a - b);
    console.log(`rep ${rep}: worker ended ${(worker.endedAt - releasedAt).toFixed(0)} ms after release; others after worker: ${others.map((x) => x.toFixed(0)).join(' ')}`);
    for (const r of done) if (r !== worker) console.log('  ', r.stderr.trim().split('\n').filter((l) => l.startsWith('WAKE')).at(-1));
    await db.drop();
  }
} finally {
  await server.stop();
}
