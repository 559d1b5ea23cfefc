import type { TestDatabase } from '../../support/databases.ts';
import { catalogSnapshot } from './catalog-snapshot.ts';

export interface TrackingState {
  /** null: the tracking table does not exist. */
  rows: { version: number; name: string; checksum: string; state: string; error: string | null }[] | null;
  history: { version: number; action: string; checksum: string | null }[];
}

/** The tracking and history tables, read directly (not through the tool). */
export async function trackingState(
  database: Pick<TestDatabase, 'dialect' | 'query'>,
  table = 'schema_migrations',
): Promise<TrackingState> {
  const exists =
    database.dialect === 'sqlite'
      ? await database.query(`select 1 from sqlite_master where type = 'table' and name = '${table}'`)
      : await database.query(
          `select 1 from pg_tables where schemaname = 'public' and tablename = '${table}'`,
        );
  if (!exists.length) return { rows: null, history: [] };
  const rows = await database.query<{
    version: number | string;
    name: string;
    checksum: string;
    state: string;
    error: string | null;
  }>(`select * from "${table}" order by version`);
  const history = await database.query<{ version: number | string; action: string; checksum: string | null }>(
    `select version, action, checksum from "${table}_history" order by id`,
  );
  return {
    rows: rows.map((r) => ({
      version: Number(r.version),
      name: r.name,
      checksum: r.checksum,
      state: r.state,
      error: r.error ?? null,
    })),
    history: history.map((h) => ({ version: Number(h.version), action: h.action, checksum: h.checksum })),
  };
}

/** Everything a failed command must leave untouched: schema, tracking rows, history. */
export async function databaseFingerprint(
  database: Pick<TestDatabase, 'dialect' | 'query'>,
): Promise<string> {
  const schema = await catalogSnapshot(database, { includeTracking: true });
  const state = await trackingState(database);
  return JSON.stringify({ schema, state }, null, 1);
}

/** PostgreSQL: waits until no kmigrate session is left in the database (a killed client's backend may still be finishing). */
export async function waitForIdle(
  database: Pick<TestDatabase, 'dialect' | 'query'>,
  timeoutMs = 30_000,
): Promise<void> {
  if (database.dialect !== 'postgres') return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = await database.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and application_name = 'kmigrate'`,
    );
    if (Number(rows[0]?.n) === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`a kmigrate session was still active in the database after ${timeoutMs} ms`);
}
