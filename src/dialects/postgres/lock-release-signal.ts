import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';

/**
 * Where notifications arrive: the pool (open-database.ts) forwards every
 * client's NOTIFY messages here by channel, because Kysely's connections do
 * not expose them.
 */
export interface NotificationSource {
  on(channel: string, listener: () => void): unknown;
  off(channel: string, listener: () => void): unknown;
}

/**
 * Lock waiters sleep until the holder says the lock is free, instead of a
 * polling backoff that wakes 15 processes for nothing and, at its longest
 * step, leaves them asleep up to 250 ms after the holder is done. The holder
 * sends NOTIFY on the lock's channel right after releasing it; a waiter
 * LISTENs on the very session it tries the lock from (idle between tries: it
 * holds no snapshot, see pollForLock for why that matters), and UNLISTENs
 * before that session does anything else. One session per waiter: a second
 * one for LISTEN cost every waiter a connection, and the server an exit per
 * waiter when sixteen replicas let go at once.
 *
 * A holder that dies releases its lock without a NOTIFY, so waiters still try
 * again after `fallbackMs`. Behind a transaction-mode pooler LISTEN does not
 * work (the session is not ours); there the adapter gets no notification
 * source and waiters poll as before.
 */
export class LockReleaseSignal {
  readonly #conn: AnyKysely;
  readonly #notices: NotificationSource;
  readonly #channel: string;
  #listening = false;
  #wake: (() => void) | undefined;
  #pending = false;
  readonly #notice = () => {
    this.#pending = true;
    this.#wake?.();
  };

  constructor(conn: AnyKysely, notices: NotificationSource, channel: string) {
    this.#conn = conn;
    this.#notices = notices;
    this.#channel = channel;
  }

  /**
   * Starts listening. Call before the next try of the lock: a release between
   * a failed try and LISTEN would otherwise go unheard until the fallback.
   * Returns false when listening is not possible (the caller then polls).
   */
  async listen(): Promise<boolean> {
    if (this.#listening) return true;
    this.#notices.on(this.#channel, this.#notice);
    try {
      await sql.raw(`listen ${quoteChannel(this.#channel)}`).execute(this.#conn);
    } catch {
      this.#notices.off(this.#channel, this.#notice);
      return false;
    }
    this.#listening = true;
    return true;
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

  /** UNLISTEN: the session goes on to run steps, or back to the pool, hearing nothing more. */
  async close(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    this.#notices.off(this.#channel, this.#notice);
    // A session that broke meanwhile is reported by whatever it runs next, not here.
    await sql
      .raw(`unlisten ${quoteChannel(this.#channel)}`)
      .execute(this.#conn)
      .catch(() => undefined);
  }
}

/** The NOTIFY channel of an advisory-lock key (a quoted identifier: keys can be negative). */
export function lockChannel(key: string): string {
  return `kmigrate_lock_${key}`;
}

export function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
