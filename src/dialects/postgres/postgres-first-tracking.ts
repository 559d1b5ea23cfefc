import { trackingTableNames } from '../../engine/tracking-store.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { quoteIdent } from '../tracking-row.ts';
import { loadPg } from './load-pg.ts';
import { openingBlock, RESET_SESSION } from './postgres-lock-sql.ts';
import { ASYNC_COMMIT } from './postgres-run-end.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

/** Ours: one of kmigrate's tables for this tracking table exists already (class KM is unused by PostgreSQL). */
export const TRACKING_EXISTS = 'KM003';

/**
 * The first deploy's tracking tables in one round trip: BEGIN, the session
 * reset, the transaction-scoped migration lock (55P03 when another migrator
 * holds it), a check that none of kmigrate's tables for `table` exists (KM003
 * otherwise: the caller takes the general path and the shape is read back),
 * the DDL and COMMIT.
 *
 * The COMMIT need not wait for its WAL flush: the tables record nothing. Every
 * row written into them later commits with a flush, or inside a run whose end
 * flushes the WAL once — which, the WAL being written in order, makes this
 * COMMIT durable too. A server crash before then loses only empty tables,
 * which the next run creates again.
 */
export async function firstTrackingTables(table: TrackingTable, lockKey: string): Promise<string> {
  const quote = (await loadPg()).default.escapeLiteral;
  const absent = trackingTableNames(table)
    .map((name) => `to_regclass(${quote(`${quoteIdent(table.schema)}.${quoteIdent(name)}`)}) is null`)
    .join(' and ');
  return [
    'begin',
    RESET_SESSION,
    ASYNC_COMMIT,
    `set local lock_timeout = '0ms'`,
    `set local statement_timeout = '0ms'`,
    openingBlock(lockKey),
    `do $kmigrate$ begin if not (${absent}) then raise exception 'the tracking tables exist' using errcode = '${TRACKING_EXISTS}'; end if; end $kmigrate$`,
    ...postgresTrackingDdl(table.schema, table.name),
    'commit',
  ].join(';\n');
}
