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
 * steps stay; the failure is what is reported); a successful run whose flush
 * is not confirmed is RunNotDurableError, never success.
 */
const WAL_WRITE = 'create temporary table if not exists kmigrate_flush (); drop table kmigrate_flush';

export async function endRun(
  conn: AnyKysely,
  key: string,
  asyncCommits: number,
  failed: boolean,
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
  if (!failed) throw new RunNotDurableError(asyncCommits, { cause: flushError });
}
