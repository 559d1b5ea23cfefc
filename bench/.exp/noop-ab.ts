import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createDatabase, startBenchPostgres } from '../lib/postgres-server.ts';
import { oursEnv } from '../lib/tools.ts';
import { writeWorkload } from '../lib/workload.ts';
const root = path.resolve(import.meta.dirname, '..', '..');
const w = writeWorkload(100, 'postgres');
const server = await startBenchPostgres();
const bins = process.argv.slice(2);
try {
  const db = await createDatabase(server, 'noopab');
  spawnSync('node', [path.join(root, 'bin/kmigrate.mjs'), 'latest', '--url', db.url, '--dir', w.sqlDir, '--no-codegen'], { cwd: w.root, env: oursEnv() });
  const times = new Map<string, number[]>();
  for (let i = 0; i < 15; i++) for (const b of bins) {
    const t = performance.now();
    const r = spawnSync('node', [b, 'latest', '--url', db.url, '--dir', w.sqlDir, '--no-codegen'], { cwd: w.root, env: oursEnv() });
    if (r.status !== 0) throw new Error(String(r.stderr));
    (times.get(b) ?? times.set(b, []).get(b)!).push(performance.now() - t);
  }
  for (const [b, t] of times) { t.sort((x, y) => x - y); console.log(b, 'min', t[0]!.toFixed(0), 'median', t[7]!.toFixed(0)); }
  await db.drop();
} finally { await server.stop(); }
