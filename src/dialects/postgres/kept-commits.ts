import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { currentStepMarker } from './deferred-openings.ts';
import {
  NO_ACTIVE_TRANSACTION,
  NO_SUCH_SAVEPOINT,
  STEP_MARKER,
  STILL_OURS,
  sqlState,
} from './postgres-lock-sql.ts';

/** Where a step's round trip leaves its transaction when its COMMIT may be kept back. */
export const KEPT_SAVEPOINT = 'kmigrate_kept_commit';

/**
 * Ends the round trip of a step whose COMMIT may be kept back: the "still
 * ours" check (otherwise part of the COMMIT batch) and a savepoint. On a line
 * of its own, after an empty statement: a script may end in a `--` comment or
 * without a semicolon.
 */
export const KEPT_CLOSING = `\n;\n${STILL_OURS};\nsavepoint ${KEPT_SAVEPOINT}`;

/** A step's tracking writes and COMMIT, kept back to go in front of the next step's script. */
export interface KeptCommit {
  /** The writes and COMMIT, as one string (the session reset and the marker first). */
  readonly text: string;
  /** The step marker this COMMIT sets: after it, the session has it (a ROLLBACK takes it back). */
  readonly marker: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * What the connection is in after a round trip that carried a kept COMMIT and
 * the next step's script failed:
 * - `intact`: the kept step's own transaction, back at its savepoint — the
 *   failure came before its COMMIT ran (a syntax error anywhere in the string
 *   stops PostgreSQL before it runs any of it); its COMMIT can go on its own;
 * - `committed`: the kept step committed; the failure is the next step's;
 * - `not committed`: its COMMIT failed (a deferred constraint, a
 *   serialization failure): it rolled back, the next step never began;
 * - `unknown`: the connection cannot say (it is gone).
 */
export type KeptCommitFate = 'intact' | 'committed' | 'not committed' | 'unknown';

/**
 * COMMITs kept back on the connection that holds a run's session lock (one
 * round trip per migration: step k's writes and COMMIT travel with step k+1's
 * opening and script), and the round trips in flight on it, which any other
 * use of the connection waits for: after a failure, finding out what the
 * server did takes queries of its own, and nothing may be sent between them.
 */
export class KeptCommits {
  readonly #kept = new WeakMap<AnyKysely, KeptCommit>();
  /** Connections whose last script ended with KEPT_CLOSING, successfully. */
  readonly #closed = new WeakSet<AnyKysely>();
  readonly #busy = new WeakMap<AnyKysely, Promise<unknown>>();
  #count = 0;

  /** Keeps `statements` (writes, then COMMIT is added) for `conn`'s next script; the promise settles when they went. */
  keep(conn: AnyKysely, prefix: readonly string[], writes: readonly string[]): Promise<void> {
    const marker = `${process.pid}.c${++this.#count}`;
    const text = [
      ...prefix,
      `select set_config('${STEP_MARKER}', '${marker}', false)`,
      ...writes,
      'commit',
    ].join(';\n');
    return new Promise<void>((resolve, reject) => {
      this.#kept.set(conn, { text, marker, resolve, reject });
    });
  }

  take(conn: AnyKysely): KeptCommit | undefined {
    const kept = this.#kept.get(conn);
    this.#kept.delete(conn);
    return kept;
  }

  markClosed(conn: AnyKysely): void {
    this.#closed.add(conn);
  }

  /** True (once) when `conn`'s last script ended at the savepoint: only then may its COMMIT be kept back. */
  takeClosed(conn: AnyKysely): boolean {
    return this.#closed.delete(conn);
  }

  /** Runs `work` as the connection's round trip in flight; others wait for it (idle). */
  track<T>(conn: AnyKysely, work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#busy.set(conn, settled);
    void settled.then(() => {
      if (this.#busy.get(conn) === settled) this.#busy.delete(conn);
    });
    return work;
  }

  /** Resolves once no round trip of ours is in flight on `conn`. */
  async idle(conn: AnyKysely): Promise<void> {
    await this.#busy.get(conn);
  }

  /** After the failed round trip that carried `kept` and the script opened with `openingMarker`. */
  async fate(conn: AnyKysely, kept: KeptCommit, openingMarker: string): Promise<KeptCommitFate> {
    try {
      await sql.raw(`rollback to savepoint ${KEPT_SAVEPOINT}`).execute(conn);
      return 'intact';
    } catch (error) {
      // In a transaction without the savepoint: the next step's, so the kept COMMIT ran.
      if (sqlState(error) === NO_SUCH_SAVEPOINT) return 'committed';
      if (sqlState(error) !== NO_ACTIVE_TRANSACTION) return 'unknown';
    }
    // In no transaction: the COMMIT failed (its marker went with it), or it ran and the next
    // step ended its own transaction (its opening's marker stayed).
    try {
      const marker = await currentStepMarker(conn);
      return marker === kept.marker || marker === openingMarker ? 'committed' : 'not committed';
    } catch {
      return 'unknown';
    }
  }
}
