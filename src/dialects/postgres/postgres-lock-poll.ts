import type { LockReleaseSignal } from './lock-release-signal.ts';

/**
 * While LISTENing, how long a waiter sleeps when no NOTIFY comes. The holder's NOTIFY is what
 * wakes waiters; this only bounds the wait after a holder that ended without one (its session
 * died: the server freed the lock). Short wake-ups cost more than they save: a waiter woken
 * during the holder's run finds the history moved, plans again and queues again, and fifteen
 * of them doing that every 250 ms took CPU from the holder and delayed their own exit by
 * hundreds of milliseconds (B4).
 */
export const LISTENING_FALLBACK_MS = 1000;

/**
 * Migrators wait for the advisory lock by trying it, never by blocking inside a
 * statement: a session blocked in pg_advisory_lock holds a snapshot, and the
 * lock holder's CREATE INDEX CONCURRENTLY waits for every older snapshot in the
 * database, so the two would deadlock (e.g. several app instances starting at
 * once). Between tries nothing is held. `attempt` resolves true once locked.
 *
 * With a release signal a waiter sleeps until the holder's NOTIFY (on an idle
 * connection of its own: no snapshot either) or LISTENING_FALLBACK_MS, whichever comes
 * first. With `stillNeeded`, after every wake-up it first asks whether the wait
 * is still worth it, and returns false when not (the holder did the work).
 */
export async function pollForLock(
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout: () => Error | Promise<Error>,
  signal?: LockReleaseSignal,
  stillNeeded?: () => Promise<boolean>,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let listening = false;
  try {
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      if (await attempt()) return true;
      // Listen only once the lock turned out to be busy, then try again at once:
      // a release between the failed try and LISTEN would otherwise go unheard.
      if (signal && !listening) {
        listening = await signal.listen();
        if (listening) {
          delay = 10;
          continue;
        }
      }
      const left = deadline - performance.now();
      if (left <= 0) throw await onTimeout();
      if (listening) await signal!.next(Math.min(LISTENING_FALLBACK_MS, left));
      else await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      if (stillNeeded && !(await stillNeeded())) return false;
    }
  } finally {
    await signal?.close();
  }
}
