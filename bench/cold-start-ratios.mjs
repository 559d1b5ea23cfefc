#!/usr/bin/env node
/**
 * #13 item 3 in one run: the no-op deploy step (`latest`, 100 applied SQL
 * migrations, nothing pending) as a new process each time, next to its floors.
 *   - the package bin:          `node bin/kmigrate.cjs latest …`  vs `node -e 0`      (target ≤ 2.5×)
 *   - what `npm run migrate` runs: `tsx scripts/migrate.ts latest …` vs `tsx empty.ts` (target ≤ 1.5×)
 * Both on PostgreSQL (embedded, 17) and SQLite. Variants run round-robin, so a noisy
 * neighbour slows all of them alike; medians and ratios come from the same run.
 * Plain JavaScript on the tsc build (dist/), so the harness needs no loader itself.
 *
 *   npm run build && node bench/cold-start-ratios.mjs [runs=21]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 21);
const { startEmbeddedPostgres } = await import(path.join(root, 'dist/dialects/postgres/embedded-server.js'));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-cold-start-'));
const migrations = path.join(work, 'migrations');
fs.mkdirSync(migrations);
for (let i = 1; i <= 100; i++) {
  const n = String(i).padStart(3, '0');
  fs.writeFileSync(
    path.join(migrations, `${n}_t${n}.up.sql`),
    `create table t${n} (id integer primary key, v text);\n`,
  );
  fs.writeFileSync(path.join(migrations, `${n}_t${n}.down.sql`), `drop table t${n};\n`);
}
const empty = path.join(work, 'empty.ts');
fs.writeFileSync(empty, 'export {};\n');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const bin = path.join(root, 'bin', 'kmigrate.cjs');
const door = path.join(root, 'scripts', 'migrate.ts');
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', KMIGRATE_BIN_MODE: 'bundle' };

function timed(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: work, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const server = await startEmbeddedPostgres({ prefix: 'kmigrate-cold-start-pg-' });
try {
  const sqlite = `sqlite:${path.join(work, 'noop.sqlite')}`;
  const deploy = (url) => ['latest', '--url', url, '--dir', migrations, '--no-codegen'];
  for (const url of [server.url, sqlite]) timed([bin, ...deploy(url)]); // apply all 100 once
  const variants = {
    'node -e 0': ['-e', '0'],
    'bin, PostgreSQL': [bin, ...deploy(server.url)],
    'bin, SQLite': [bin, ...deploy(sqlite)],
    'tsx empty.ts': [tsx, empty],
    'tsx scripts/migrate.ts, PostgreSQL': [tsx, door, ...deploy(server.url)],
    'tsx scripts/migrate.ts, SQLite': [tsx, door, ...deploy(sqlite)],
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const args of Object.values(variants)) timed(args); // warm the file cache and the TS cache
  for (let i = 0; i < runs; i++)
    for (const [name, args] of Object.entries(variants)) samples[name].push(timed(args));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
  const floorOf = (name) => (name.startsWith('tsx') ? 'tsx empty.ts' : 'node -e 0');
  console.log(
    `${runs} runs each, round-robin; ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}; node ${process.version}\n`,
  );
  console.log('| variant | min ms | median ms | max ms | median / floor |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, xs] of Object.entries(samples)) {
    const floor = floorOf(name);
    const ratio = name === floor ? '' : `${(m[name] / m[floor]).toFixed(2)}× \`${floor}\``;
    console.log(
      `| ${name} | ${Math.min(...xs).toFixed(0)} | ${m[name].toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${ratio} |`,
    );
  }
} finally {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
