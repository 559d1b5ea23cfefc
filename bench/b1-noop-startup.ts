/**
 * B1, no-op start-up: `latest` with everything applied, in-process, on a
 * Kysely instance kept open like an app keeps it. Measured: the migrate call
 * alone (ours: migrateToLatest(db); Kysely: new Migrator(...).migrateToLatest()),
 * which includes reading the migrations folder; not connection setup.
 */
import type { LogEvent } from 'kysely';
import { migrateToLatest } from '../src/index.ts';
import { type BenchContext, sqliteFile } from './lib/context.ts';
import { openKysely } from './lib/open-kysely.ts';
import { kyselyMigrateToLatest } from './lib/peer-kysely.ts';
import { createDatabase } from './lib/postgres-server.ts';
import { ratio, type Summary, summarize } from './lib/stats.ts';
import { type BenchDialect, writeWorkload } from './lib/workload.ts';

export interface B1Row {
  dialect: BenchDialect;
  n: number;
  runs: number;
  ours: Summary;
  kysely: Summary;
  /** kysely / ours: how many times faster ours is. */
  speedup: { min: number; median: number; max: number };
  oursRoundTrips: number;
  kyselyRoundTrips: number;
  oursStatements: string[];
  kyselyStatements: string[];
}

export async function runB1(ctx: BenchContext): Promise<B1Row[]> {
  const rows: B1Row[] = [];
  for (const dialect of ['postgres', 'sqlite'] as const) {
    for (const n of [100, 1000]) {
      // Kysely's no-op at N = 1000 takes ≈ 0.3 s: fewer runs there keep the whole bench short.
      const runs = ctx.quick ? 10 : n === 100 ? 50 : 15;
      rows.push(await measure(ctx, dialect, n, runs));
    }
  }
  return rows;
}

async function measure(ctx: BenchContext, dialect: BenchDialect, n: number, runs: number): Promise<B1Row> {
  const w = writeWorkload(n, dialect);
  const target = async (tool: string) => {
    if (dialect === 'postgres') return createDatabase(ctx.pg, `b1_${tool}_${n}`);
    const f = sqliteFile(ctx, `b1-${tool}-${n}`);
    return { url: f.url, drop: async () => f.drop() };
  };
  const oursDb = await target('ours');
  const kyselyDb = await target('kysely');
  const ours = openKysely(dialect, oursDb.url);
  const kysely = openKysely(dialect, kyselyDb.url);
  const oursOnce = async () => {
    const results = await migrateToLatest(ours.db, { config: { migrationsDir: w.tsDir } });
    return results.length;
  };
  const kyselyOnce = () => kyselyMigrateToLatest(kysely.db, w.tsDir);
  try {
    ctx.log(`B1 ${dialect} N=${n}: applying the workload once with each tool`);
    if ((await oursOnce()) !== n) throw new Error(`B1 setup: ours applied the wrong count on ${dialect}`);
    if ((await kyselyOnce()) !== n) throw new Error(`B1 setup: Kysely applied the wrong count on ${dialect}`);

    for (let i = 0; i < 5; i++) {
      await oursOnce();
      await kyselyOnce();
    }
    const oursMs: number[] = [];
    const kyselyMs: number[] = [];
    // Interleaved, so both tools see the same background noise.
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      if ((await oursOnce()) !== 0) throw new Error('B1: ours applied something on a no-op');
      oursMs.push(performance.now() - t);
      t = performance.now();
      if ((await kyselyOnce()) !== 0) throw new Error('B1: Kysely applied something on a no-op');
      kyselyMs.push(performance.now() - t);
    }
    const oursCount = await countStatements(dialect, oursDb.url, (db) =>
      migrateToLatest(db, { config: { migrationsDir: w.tsDir } }),
    );
    const kyselyCount = await countStatements(dialect, kyselyDb.url, (db) =>
      kyselyMigrateToLatest(db, w.tsDir),
    );
    const o = summarize(oursMs);
    const k = summarize(kyselyMs);
    const r = ratio(k, o);
    ctx.log(
      `B1 ${dialect} N=${n}: ours ${o.median.toFixed(2)} ms (${oursCount.length} statements), Kysely ${k.median.toFixed(2)} ms (${kyselyCount.length}); ${r.median.toFixed(1)}x`,
    );
    return {
      dialect,
      n,
      runs,
      ours: o,
      kysely: k,
      speedup: r,
      oursRoundTrips: oursCount.length,
      kyselyRoundTrips: kyselyCount.length,
      oursStatements: oursCount,
      kyselyStatements: kyselyCount,
    };
  } finally {
    await ours.close();
    await kysely.close();
    await oursDb.drop();
    await kyselyDb.drop();
  }
}

/** Every statement one no-op sends, through a Kysely `log` callback on a separate instance. */
async function countStatements(
  dialect: BenchDialect,
  url: string,
  fn: (db: ReturnType<typeof openKysely>['db']) => Promise<unknown>,
): Promise<string[]> {
  const sent: string[] = [];
  const k = openKysely(dialect, url, (e: LogEvent) => {
    sent.push(oneLine(e.query.sql) + (e.level === 'error' ? '  -- (failed)' : ''));
  });
  try {
    await fn(k.db);
    return sent;
  } finally {
    await k.close();
  }
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 137)}...` : flat;
}
