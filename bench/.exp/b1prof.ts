import { migrateToLatest } from '../../src/index.ts';
import { openKysely } from '../lib/open-kysely.ts';
import { writeWorkload } from '../lib/workload.ts';
import fs from 'node:fs';
const n = Number(process.argv[2] ?? 100);
const w = writeWorkload(n, 'sqlite');
const file = `/work/main/.kmigrate/tmpdb/b1-${n}.db`;
fs.rmSync(file, { force: true });
const ours = openKysely('sqlite', `sqlite:${file}`);
await migrateToLatest(ours.db, { config: { migrationsDir: w.tsDir } });
for (let i = 0; i < 20; i++) await migrateToLatest(ours.db, { config: { migrationsDir: w.tsDir } });
const t: number[] = [];
for (let i = 0; i < 200; i++) { const s = performance.now(); await migrateToLatest(ours.db, { config: { migrationsDir: w.tsDir } }); t.push(performance.now() - s); }
t.sort((a, b) => a - b);
console.log(`N=${n} min ${t[0]!.toFixed(2)} median ${t[100]!.toFixed(2)} ms`);
