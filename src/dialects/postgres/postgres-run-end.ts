import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { RunNotDurableError } from '../../engine/errors.ts';
import { lockChannel, quoteChannel } from './lock-release-signal.ts';
import { RESET_SESSION } from './postgres-lock-sql.ts';

/** A step's commit inside a run: atomic as ever, durable only once the run's end flushes the WAL. */
export const ASYNC_COMMIT = 'set local synchronous_commit = off';

/**
 * The end of a run holding the session lock: the lock must never outlive it,
 * even when it failed, and the connection goes back clean. NOTIFY wakes the
 * waiters; it is delivered when the unlock's implicit transaction ends.
 *
 * When the run committed steps asynchronously, first one transaction that
 * writes WAL and commits with the session's own synchronous_commit, which
 * waits until the WAL is flushed up to its commit record — and so every commit
 * of the run before it. A transaction that writes no WAL (even one that took a
 * transaction id) skips the flush, so it creates and drops a temporary table:
 * catalog rows are WAL-logged, it needs no privilege beyond TEMP, leaves
 * nothing behind, and, unlike pg_logical_emit_message, shows up in no logical
 * decoding stream (Supabase Realtime reads one). In
 * the same round trip, only then, the unlock: a waiter never reads steps that
 * a server crash could still take back. A failed run flushes too (its earlier
 * steps stay; the failure is what is reported). A flush that is not confirmed
 * is RunNotDurableError (exit 4) whether the run failed or not: steps it
 * reported as applied may be gone.
 */
const WAL_WRITE = 'create temporary table if not exists kmigrate_flush (); drop table kmigrate_flush';

export interface RunEnd {
  /** The session that holds the lock and ran the steps. */
  conn: AnyKysely;
  /** The pool, for a second try from a fresh session when the run's own is gone. */
  pool: AnyKysely;
  key: string;
  /** Steps the run committed asynchronously. */
  asyncCommits: number;
  /** pg_postmaster_start_time() when the lock was taken. */
  serverStarted: string | undefined;
}

/** `failure`: the run's own error, if it failed; still reported, unless its steps' durability is unknown. */
export async function endRun(
  { conn, pool, key, asyncCommits, serverStarted }: RunEnd,
  failure?: unknown,
): Promise<void> {
  const unlock = `${RESET_SESSION}; select pg_advisory_unlock(${key}); notify ${quoteChannel(lockChannel(key))}`;
  const quietly = (text: string) =>
    sql
      .raw(text)
      .execute(conn)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
  if (asyncCommits === 0) {
    await quietly(unlock);
    return;
  }
  const flushError = await quietly(`begin; ${WAL_WRITE}; commit; ${unlock}`);
  if (flushError === undefined) return;
  await quietly(unlock);
  // The run's session is gone (terminated, a network failure) but the server may not be: a flush
  // from any session covers the whole WAL up to it, so a fresh connection can still confirm it.
  // Not if the server restarted meanwhile (a crash, a failover): what it lost is lost.
  if (serverStarted !== undefined && (await flushedOnSameServer(pool, serverStarted))) return;
  // Steps this run reported as applied may be gone (the server went away before they were
  // flushed): that is what must be said, with the run's own failure, if any, as the cause.
  throw new RunNotDurableError(asyncCommits, {
    cause: flushError,
    ...(failure === undefined ? {} : { runFailure: failure }),
  });
}

/** A WAL-writing commit from a fresh session, then: is it still the server the run started on? */
async function flushedOnSameServer(pool: AnyKysely, serverStarted: string): Promise<boolean> {
  try {
    await sql.raw(`begin; ${WAL_WRITE}; commit`).execute(pool);
    const { rows } = await sql<{
      started: string;
    }>`select pg_postmaster_start_time()::text as started`.execute(pool);
    return rows[0]?.started === serverStarted;
  } catch {
    return false;
  }
}
