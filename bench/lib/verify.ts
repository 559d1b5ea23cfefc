/** After-run checks on the database itself: the benchmark only counts runs that did the whole job. */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { BenchDialect } from './workload.ts';

export async function queryCount(dialect: BenchDialect, url: string, sql: string): Promise<number> {
  if (dialect === 'sqlite') {
    // Not readonly: a WAL database whose -shm file went with its last connection cannot be opened readonly.
    const db = new Database(url.replace(/^sqlite:/, ''), { fileMustExist: true });
    try {
      return Number((db.prepare(sql).get() as { n: number | bigint }).n);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Workload tables (t_NNNN) present, each with its index and 2 rows checked on the last one. */
export async function workloadTables(dialect: BenchDialect, url: string): Promise<number> {
  const sql =
    dialect === 'sqlite'
      ? `select count(*) as n from sqlite_master where type = 'table' and name like 't\\_%' escape '\\'`
      : `select count(*) as n from pg_tables where schemaname = 'public' and tablename like 't\\_%'`;
  return queryCount(dialect, url, sql);
}

export async function assertWorkloadApplied(
  dialect: BenchDialect,
  url: string,
  n: number,
  trackingCount: string | undefined,
  who: string,
): Promise<void> {
  const tables = await workloadTables(dialect, url);
  if (tables !== n) throw new Error(`${who}: expected ${n} workload tables, found ${tables}`);
  const last = `t_${String(n).padStart(4, '0')}`;
  const rows = await queryCount(dialect, url, `select count(*) as n from ${last}`);
  if (rows !== 2) throw new Error(`${who}: expected 2 rows in ${last}, found ${rows}`);
  if (trackingCount) {
    const tracked = await queryCount(dialect, url, trackingCount);
    if (tracked !== n) throw new Error(`${who}: expected ${n} tracking rows, found ${tracked}`);
  }
}
