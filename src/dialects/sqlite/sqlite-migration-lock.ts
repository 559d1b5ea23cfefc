import fs from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { LockTimeoutError } from '../../engine/errors.ts';
import type { LockHolder } from '../../engine/lock-holder.ts';

/**
 * SQLite has no advisory locks, and a non-transactional step cannot hold the
 * database's own write lock between its statements. So the migration lock is
 * the write lock of a small sidecar file (`<database>.kmigrate-lock`): taken
 * with BEGIN IMMEDIATE (polled until the lock timeout),
 * released by ROLLBACK — or by the operating system when the process dies, so
 * a crash never leaves it held. Every step takes it before the database's own
 * write lock, always in that order, so two migrators cannot deadlock.
 */
export class SqliteMigrationLock {
  readonly #open: () => Database.Database;
  #db: Database.Database | undefined;
  #depth = 0;

  readonly #file: () => string | undefined;

  /** `file`: the lock file's path, when known (lets isHeldElsewhere avoid creating it); a function when found lazily. */
  constructor(open: () => Database.Database, file?: string | (() => string | undefined)) {
    this.#open = open;
    this.#file = typeof file === 'function' ? file : () => file;
  }

  /**
   * Whether there is a file to lock. Always true here; a lock that finds its
   * file lazily (a caller's Kysely instance, adapter-for-kysely.ts) looks first.
   */
  async ready(): Promise<boolean> {
    return true;
  }

  async with<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
    // Re-entrant: a step run while the lock is already held (e.g. the re-read before a run) nests.
    if (this.#depth > 0) return this.#nested(fn);
    await this.#acquire(timeoutMs);
    return this.#nestedThenRelease(fn);
  }

  /**
   * Like `with`, for a whole run: while waiting, asks `stillNeeded` now and
   * after every wait (≤ 25 ms), and gives up with `{ ran: false }` when it says false.
   */
  async withUnlessDone<T>(
    timeoutMs: number,
    stillNeeded: () => Promise<boolean>,
    fn: () => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.#depth > 0) return { ran: true, value: await this.#nested(fn) };
    if (!(await this.#acquire(timeoutMs, stillNeeded))) return { ran: false };
    return { ran: true, value: await this.#nestedThenRelease(fn) };
  }

  /**
   * Polls BEGIN IMMEDIATE on the lock file. Waiters sleep at most 25 ms between
   * tries (SQLite cannot wake them; a try is a few microseconds), so a free
   * lock is noticed quickly without keeping 15 waiters busy.
   */
  async #acquire(timeoutMs: number, stillNeeded?: () => Promise<boolean>): Promise<boolean> {
    this.#db ??= this.#open();
    const db = this.#db;
    // Poll instead of busy_timeout: better-sqlite3 would wait synchronously, blocking this process's
    // event loop — and with it any other migrator in the same process that holds the lock.
    db.pragma('busy_timeout = 0');
    const deadline = performance.now() + timeoutMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 25)) {
      try {
        db.exec('begin immediate');
        writeHolder(this.#file());
        return true;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw error;
        const left = deadline - performance.now();
        if (left <= 0)
          throw new LockTimeoutError(
            timeoutMs,
            'the SQLite migration lock (.kmigrate-lock file)',
            readHolder(this.#file()),
          );
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
        // After every wait (≤ 25 ms): a WAL read costs well under a millisecond and never blocks the
        // holder, and it lets a waiter leave as soon as the holder's last step commits — before the
        // lock is even free — instead of queueing for the lock just to find nothing left to do.
        if (stillNeeded && !(await stillNeeded())) return false;
      }
    }
  }

  #nestedThenRelease<T>(fn: () => Promise<T>): Promise<T> {
    const db = this.#db!;
    return this.#nested(fn).finally(() => {
      removeHolder(this.#file());
      if (db.inTransaction) db.exec('rollback');
    });
  }

  async #nested<T>(fn: () => Promise<T>): Promise<T> {
    this.#depth++;
    try {
      return await fn();
    } finally {
      this.#depth--;
    }
  }

  /**
   * True when another connection holds the lock now (a step is in progress
   * there). Never waits: one try on a connection of its own.
   */
  isHeldElsewhere(): boolean {
    if (this.#depth > 0) return false;
    // No lock file: nobody ever held it. Opening it would create it, and `status` changes nothing.
    const file = this.#file();
    if (file !== undefined && !fs.existsSync(file)) return false;
    const probe = this.#open();
    try {
      probe.pragma('busy_timeout = 0');
      probe.exec('begin immediate');
      probe.exec('rollback');
      return false;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
      throw error;
    } finally {
      probe.close();
    }
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }
}

/**
 * Who holds the lock, next to the lock file (`<lock file>.holder`, JSON): the
 * lock itself is a write transaction nobody else can read, so a waiter that
 * gives up learns the holder from here. Written after taking the lock, removed
 * before releasing it; a holder killed with -9 leaves it behind, and the next
 * holder overwrites it.
 */
function holderFile(lockFile: string | undefined): string | undefined {
  return lockFile ? `${lockFile}.holder` : undefined;
}

function writeHolder(lockFile: string | undefined): void {
  const file = holderFile(lockFile);
  if (!file) return;
  const holder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  try {
    fs.writeFileSync(file, `${JSON.stringify(holder)}\n`);
  } catch {
    // A read-only folder: the lock still works; only a waiter's message names nobody.
  }
}

function removeHolder(lockFile: string | undefined): void {
  const file = holderFile(lockFile);
  if (!file) return;
  try {
    if ((JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown }).pid === process.pid) fs.rmSync(file);
  } catch {
    // Gone or unreadable: nothing of ours to remove.
  }
}

function readHolder(lockFile: string | undefined): LockHolder[] {
  const file = holderFile(lockFile);
  if (!file) return [];
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      pid?: unknown;
      host?: unknown;
      since?: unknown;
      command?: unknown;
    };
    if (typeof h.pid !== 'number') return [];
    return [
      {
        pid: h.pid,
        host: typeof h.host === 'string' ? h.host : null,
        since: typeof h.since === 'string' ? new Date(h.since) : null,
        query: typeof h.command === 'string' ? h.command : null,
      },
    ];
  } catch {
    return [];
  }
}
