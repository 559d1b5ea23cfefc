import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { RECORD_TXID } from './postgres-lock-sql.ts';

/** Session-level marker an opening sent with a script sets: it outlives a COMMIT, not a ROLLBACK. */
const STEP_MARKER = 'kmigrate.step';

/**
 * Openings of locked steps that travel in the script's round trip (on the
 * connection holding the run's session lock, where the lock cannot be
 * unavailable): kept by connection until the script goes, sent on their own
 * first if something else is sent on that connection instead.
 *
 * A syntax error anywhere in a query string stops PostgreSQL before it runs
 * any of it, BEGIN included; so after a failure, "not in our transaction" is
 * either that (nothing ran) or a script that ended the transaction itself
 * (part of it committed). The marker tells them apart.
 */
export class DeferredOpenings {
  readonly #pending = new WeakMap<AnyKysely, string>();
  readonly #sent = new WeakMap<AnyKysely, string>();
  #count = 0;

  /** Keeps `limits` (BEGIN, reset, SET LOCALs) for `conn`'s next script; the txid record is added. */
  defer(conn: AnyKysely, limits: readonly string[]): void {
    this.#pending.set(conn, [...limits, RECORD_TXID].join('; '));
    this.#sent.delete(conn);
  }

  /** The opening to send before `conn`'s script, marked, or undefined when none waits. */
  takeForScript(conn: AnyKysely): string | undefined {
    const pending = this.#pending.get(conn);
    if (pending === undefined) return undefined;
    this.#pending.delete(conn);
    const marker = `${process.pid}.${++this.#count}`;
    this.#sent.set(conn, marker);
    return `${pending}; select set_config('${STEP_MARKER}', '${marker}', false)`;
  }

  /** Sends a waiting opening on its own (the body sent something else first). */
  async flush(conn: AnyKysely): Promise<void> {
    const pending = this.#pending.get(conn);
    this.#sent.delete(conn);
    if (pending === undefined) return;
    this.#pending.delete(conn);
    await sql.raw(pending).execute(conn);
  }

  /** Forgets a waiting opening; true when there was one (nothing was opened on the server). */
  discard(conn: AnyKysely): boolean {
    return this.#pending.delete(conn);
  }

  /**
   * After a failure, with `conn` outside any transaction: did the opening sent
   * with the script run (so the script ended the transaction), or did nothing
   * run? Undefined when no opening was sent with a script.
   */
  async openingRan(conn: AnyKysely): Promise<boolean | undefined> {
    const marker = this.#sent.get(conn);
    this.#sent.delete(conn);
    if (marker === undefined) return undefined;
    const { rows } = await sql
      .raw<{ marker: string | null }>(`select current_setting('${STEP_MARKER}', true) as marker`)
      .execute(conn);
    return rows[0]?.marker === marker;
  }
}
