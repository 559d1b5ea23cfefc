import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { RECORD_TXID, STEP_MARKER } from './postgres-lock-sql.ts';

/** An opening taken to go in front of a script: its text, the marker it sets, and whether a closing follows. */
export interface TakenOpening {
  text: string;
  marker: string;
  /** The script's round trip ends with the "still ours" check and the kept-commit savepoint (KeptCommits). */
  closing: boolean;
}

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
  readonly #pending = new WeakMap<AnyKysely, { text: string; closing: boolean }>();
  readonly #sent = new WeakMap<AnyKysely, string>();
  #count = 0;

  /**
   * Keeps `limits` (BEGIN, reset, SET LOCALs) for `conn`'s next script; the txid record is added.
   * `closing`: the script's round trip is to end ready for a kept COMMIT (hints.deferCommit).
   */
  defer(conn: AnyKysely, limits: readonly string[], closing: boolean): void {
    this.#pending.set(conn, { text: [...limits, RECORD_TXID].join('; '), closing });
    this.#sent.delete(conn);
  }

  /** The opening to send before `conn`'s script, marked, or undefined when none waits. */
  takeForScript(conn: AnyKysely): TakenOpening | undefined {
    const pending = this.#pending.get(conn);
    if (pending === undefined) return undefined;
    this.#pending.delete(conn);
    const marker = `${process.pid}.${++this.#count}`;
    this.#sent.set(conn, marker);
    return {
      text: `${pending.text}; select set_config('${STEP_MARKER}', '${marker}', false)`,
      marker,
      closing: pending.closing,
    };
  }

  /** Sends a waiting opening on its own (the body sent something else first). */
  async flush(conn: AnyKysely): Promise<void> {
    const pending = this.#pending.get(conn);
    this.#sent.delete(conn);
    if (pending === undefined) return;
    this.#pending.delete(conn);
    await sql.raw(pending.text).execute(conn);
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
    return (await currentStepMarker(conn)) === marker;
  }
}

/** The session-level step marker (set by an opening or a kept COMMIT; it outlives a COMMIT, not a ROLLBACK). */
export async function currentStepMarker(conn: AnyKysely): Promise<string | null | undefined> {
  const { rows } = await sql
    .raw<{ marker: string | null }>(`select current_setting('${STEP_MARKER}', true) as marker`)
    .execute(conn);
  return rows[0]?.marker;
}
