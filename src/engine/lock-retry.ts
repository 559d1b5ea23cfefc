import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import type { LockHolder } from './lock-holder.ts';

/**
 * A migration's statement that waits for a table lock blocks every query
 * queued behind it on that table, so it waits briefly (lock_timeout, default
 * DEFAULT_STATEMENT_LOCK_TIMEOUT_MS), rolls back, lets the queue drain, and
 * tries again — the pattern GitLab's with_lock_retries and others use —
 * up to this many retries, and never past the lock timeout in total.
 */
export const DEFAULT_LOCK_RETRIES = 10;

/** Before retry `n` (1-based): 250 ms · 2^(n-1), at most 5 s, jittered to 50–100 % so retrying migrators spread out. */
export function retryDelay(n: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5_000, 250 * 2 ** (n - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Watches one attempt of a step: once its statement has run for half of
 * lock_timeout it may be waiting for a lock, so ask the database who blocks it
 * (one query, never waiting). What it saw names the blocker if the step gives up.
 */
export class BlockerProbe {
  #seen: LockHolder[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapter: DialectAdapter,
    private readonly db: AnyKysely,
    private readonly lockTimeoutMs: number,
  ) {}

  /** The blockers seen last (empty when none were seen). */
  get seen(): readonly LockHolder[] {
    return this.#seen;
  }

  start(): void {
    const probe = this.adapter.blockingSessions?.bind(this.adapter);
    if (!probe || !this.lockTimeoutMs) return;
    this.#timer = setTimeout(
      () => {
        probe(this.db).then(
          (found) => {
            if (found.length) this.#seen = found;
          },
          () => undefined,
        );
      },
      Math.max(20, this.lockTimeoutMs / 2),
    );
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
