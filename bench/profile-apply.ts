/**
 * Where an apply run's time goes: `npx tsx bench/profile-apply.ts [postgres|sqlite] [N]`.
 * Applies the B2 workload in-process (migrateToLatest with the URL) on the bench's durable
 * PostgreSQL (or a SQLite temp file) and prints wall time, Node CPU per migration, queries
 * sent (round trips), COMMITs and, on PostgreSQL, WAL syncs (pg_stat_wal); PROFILE_TRACE=K lists the
 * first K queries with their timing. Add
 * `node --cpu-prof` through NODE_OPTIONS for a CPU profile of the same run.
 */
import pg from 'pg';
import { migrateToLatest } from '../src/index.ts';
import { BENCH_TMP } from './lib/context.ts';
import { createDatabase, startBenchPostgres } from './lib/postgres-server.ts';
import { assertWorkloadApplied } from './lib/verify.ts';
import { type BenchDialect, writeWorkload } from './lib/workload.ts';

const dialect = (process.argv[2] ?? 'postgres') as BenchDialect;
const n = Number(process.argv[3] ?? 1000);
const w = writeWorkload(n, dialect);

/**
 * Counts every query a pg client sends (one simple-protocol query = one round trip), and the
 * time from sending each to its answer, by the query's first word (the server's share).
 */
function countPgQueries(): {
  queries: number;
  commits: number;
  waitMs: Map<string, number>;
  lastAnswer: number | undefined;
} {
  const counter = {
    queries: 0,
    commits: 0,
    waitMs: new Map<string, number>(),
    lastAnswer: undefined as number | undefined,
  };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
    counter.queries++;
    if (text && /\bcommit\s*$/i.test(text.trim())) counter.commits++;
    const kind = (text ?? '?').trim().split(/\s+/, 1)[0]!.toLowerCase().slice(0, 20);
    const started = performance.now();
    // Client think time: from the previous answer to this query (what Node does between round trips).
    if (counter.lastAnswer !== undefined) {
      const think = `think before \`${kind} …\``;
      counter.waitMs.set(think, (counter.waitMs.get(think) ?? 0) + started - counter.lastAnswer);
      if (process.env.PROFILE_LONG_THINK && started - counter.lastAnswer > 50)
        console.log(
          `  long think ${(started - counter.lastAnswer).toFixed(0)} ms before: ${text?.slice(0, 80)}`,
        );
    }
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    const nth = counter.queries;
    if (result instanceof Promise) {
      void result.then(
        () => {
          // PROFILE_TRACE=K: the first K queries, when each was sent and how long its answer took.
          if (nth <= Number(process.env.PROFILE_TRACE ?? 0))
            console.log(
              `  #${nth} +${started.toFixed(0)} ms, answer ${(performance.now() - started).toFixed(1)} ms: ${text?.replace(/\s+/g, ' ').slice(0, Number(process.env.PROFILE_TRACE_WIDTH ?? 110))}`,
            );
          counter.lastAnswer = performance.now();
          counter.waitMs.set(kind, (counter.waitMs.get(kind) ?? 0) + counter.lastAnswer - started);
        },
        () => undefined,
      );
    }
    return result;
  } as typeof original;
  return counter;
}

async function walSyncs(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('select wal_sync from pg_stat_wal')).rows[0].wal_sync);
  } finally {
    await c.end();
  }
}

if (dialect === 'postgres') {
  const server = await startBenchPostgres();
  try {
    const db = await createDatabase(server, 'profile_apply');
    const syncsBefore = await walSyncs(db.url);
    const counter = countPgQueries();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await migrateToLatest(db.url, { config: { migrationsDir: w.sqlDir }, cwd: w.root });
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const queries = { ...counter };
    await new Promise((r) => setTimeout(r, 600));
    const syncs = (await walSyncs(db.url)) - syncsBefore;
    await assertWorkloadApplied('postgres', db.url, n, undefined, 'profile');
    report(wall, used, queries.queries, queries.commits, syncs);
    for (const [kind, ms] of [...counter.waitMs].sort((a, b) => b[1] - a[1]).slice(0, 12))
      console.log(
        `  ${kind.startsWith('think') ? kind : `waiting for answers to \`${kind} …\``}: ${ms.toFixed(0)} ms`,
      );
    await db.drop();
  } finally {
    await server.stop();
  }
} else {
  const { rmSync, mkdirSync } = await import('node:fs');
  const file = `${BENCH_TMP}/sqlite/profile-apply.sqlite`;
  mkdirSync(`${BENCH_TMP}/sqlite`, { recursive: true });
  for (const s of ['', '-wal', '-shm', '.kmigrate-lock']) rmSync(`${file}${s}`, { force: true });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await migrateToLatest(`sqlite:${file}`, { config: { migrationsDir: w.sqlDir }, cwd: w.root });
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await assertWorkloadApplied('sqlite', `sqlite:${file}`, n, undefined, 'profile');
  report(wall, used, Number.NaN, Number.NaN, Number.NaN);
}

function report(wall: number, cpu: NodeJS.CpuUsage, queries: number, commits: number, syncs: number): void {
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `${dialect} N=${n}: wall ${wall.toFixed(0)} ms (${(wall / n).toFixed(2)} ms/migration); Node CPU ${cpuMs.toFixed(0)} ms (${(cpuMs / n).toFixed(3)} ms/migration)`,
  );
  if (!Number.isNaN(queries))
    console.log(
      `  queries sent ${queries} (${(queries / n).toFixed(2)}/migration), COMMITs ${commits}, WAL syncs ${syncs}`,
    );
}
