import type pg from 'pg';

/** A dedicated connection for LISTEN (Kysely's connections do not expose notifications). */
export type ListenConnector = () => Promise<pg.Client>;

/**
 * Lock waiters sleep until the holder says the lock is free, instead of a
 * polling backoff that wakes 15 processes for nothing and, at its longest
 * step, leaves them asleep up to 250 ms after the holder is done. The holder
 * sends NOTIFY on the lock's channel right after releasing it; a waiter LISTENs
 * on its own connection, which is idle between notifications: it holds no
 * snapshot (see pollForLock for why that matters).
 *
 * A holder that dies releases its lock without a NOTIFY, so waiters still try
 * again after `fallbackMs`. Behind a transaction-mode pooler LISTEN does not
 * work (the session is not ours); there the adapter gets no connector and
 * waiters poll as before.
 */
export class LockReleaseSignal {
  readonly #connect: ListenConnector;
  readonly #channel: string;
  #client: pg.Client | undefined;
  #wake: (() => void) | undefined;
  #pending = false;

  constructor(connect: ListenConnector, channel: string) {
    this.#connect = connect;
    this.#channel = channel;
  }

  /**
   * Starts listening. Call before the next try of the lock: a release between
   * a failed try and LISTEN would otherwise go unheard until the fallback.
   * Returns false when listening is not possible (the caller then polls).
   */
  async listen(): Promise<boolean> {
    if (this.#client) return true;
    try {
      const client = await this.#connect();
      client.on('notification', () => {
        this.#pending = true;
        this.#wake?.();
      });
      // A broken listener must not crash the process; waiters fall back to the timer.
      client.on('error', () => undefined);
      await client.query(`listen ${quoteChannel(this.#channel)}`);
      this.#client = client;
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves on the next release notice, or after `fallbackMs`, whichever comes first. */
  async next(fallbackMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, fallbackMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
    this.#pending = false;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** The NOTIFY channel of an advisory-lock key (a quoted identifier: keys can be negative). */
export function lockChannel(key: string): string {
  return `kmigrate_lock_${key}`;
}

export function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
