import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { type BatchOutcome, SERVER_MEASURED_MS } from '../../engine/step-batch.ts';
import { currentStepMarker } from './deferred-openings.ts';
import {
  IN_FAILED_TRANSACTION,
  LOCK_NOT_AVAILABLE,
  RESET_SESSION,
  STEP_MARKER,
  STILL_OURS,
  sqlState,
  TRANSACTION_ENDED,
  TXID_SETTING,
} from './postgres-lock-sql.ts';
import { ASYNC_COMMIT } from './postgres-run-end.ts';
import { scriptError } from './postgres-script.ts';

/*
 * Consecutive script steps in one round trip (decision 0007): for each step,
 *
 *   BEGIN; <session reset>; <SET LOCAL limits>; <txid and start time recorded>;
 *   <the script>
 *   ;
 *   <"still ours" check>; <the writer's session>; <tracking writes>;
 *   <session reset>; <asynchronous commit>; <marker>; COMMIT;
 *
 * — what psql does with a file of BEGIN … COMMIT blocks, with every step's
 * tracking rows inside its own transaction. An error stops PostgreSQL at that
 * statement: the steps before it are committed, the failing one rolls back,
 * nothing after it runs. A syntax error anywhere stops it before it runs any of
 * the text. The session-level marker each COMMIT leaves (set just before it,
 * so it survives only if the COMMIT does) tells afterwards how many committed.
 */

/** Where a step starts: recorded after the session reset, which would clear it. */
const T0_SETTING = 'kmigrate.t0';
const RECORD_START = `select set_config('${TXID_SETTING}', txid_current()::text, true), set_config('${T0_SETTING}', extract(epoch from clock_timestamp())::text, true)`;

/**
 * The time from the step's start to its writes, in whole ms, in SERVER_MEASURED_MS's
 * place: as text of a number (not of a timestamp), so a script's DateStyle or TimeZone
 * cannot change how it reads back.
 */
const STEP_MS = `((extract(epoch from clock_timestamp()) - current_setting('${T0_SETTING}')::numeric) * 1000)::integer`;
export const SERVER_VALUES: ReadonlyMap<unknown, string> = new Map([[SERVER_MEASURED_MS, STEP_MS]]);

/**
 * The role and function lookup the tracking writes need, whatever the script
 * set: its own SET ROLE may not write the tracking tables, and its search_path
 * could put other functions before pg_catalog's. Only these two: the rest of the
 * reset would clear the recorded start, which the writes read. The full reset
 * follows them, before COMMIT.
 */
const WRITER_SESSION = 'set session authorization default; set local search_path = pg_catalog, pg_temp';

export interface PreparedBatch {
  readonly text: string;
  /** Per step: its script as sent, and where it starts in `text`. */
  readonly scripts: readonly { readonly sql: string; readonly offset: number }[];
  /** Per step: the marker its COMMIT leaves on the session. */
  readonly markers: readonly string[];
}

/** The text of one round trip; `limits`: BEGIN, the session reset and the SET LOCALs of a step. */
export function prepareBatch(
  steps: readonly { readonly sql: string; readonly writes: readonly string[] }[],
  limits: readonly string[],
  nextMarker: () => string,
): PreparedBatch {
  // Parts joined once: the text is every script plus ≈ 1 kB of ours per step.
  const parts: string[] = [];
  let length = 0;
  const add = (part: string) => {
    parts.push(part);
    length += part.length;
  };
  const opening = `${[...limits, RECORD_START].join('; ')};\n`;
  // The script on lines of its own: it may end in a `--` comment or without a semicolon.
  const afterScript = `\n;\n${STILL_OURS};\n${WRITER_SESSION};\n`;
  const beforeMarker = `;\n${RESET_SESSION}; ${ASYNC_COMMIT}; select set_config('${STEP_MARKER}', '`;
  const scripts: { sql: string; offset: number }[] = [];
  const markers: string[] = [];
  for (const step of steps) {
    const marker = nextMarker();
    add(opening);
    scripts.push({ sql: step.sql, offset: length });
    add(step.sql);
    add(afterScript);
    add(step.writes.join(';\n'));
    add(`${beforeMarker}${marker}', false); commit;\n`);
    markers.push(marker);
  }
  return { text: parts.join(''), scripts, markers };
}

/**
 * After the round trip failed with `error`: where the session is, then how many
 * steps committed and what to do about the one that did not. Throws when the
 * connection cannot say (it is gone).
 */
export async function batchFailure(
  conn: AnyKysely,
  batch: PreparedBatch,
  error: unknown,
): Promise<BatchOutcome> {
  // In the failing step's transaction (aborted), or in none: a COMMIT failed, the text was
  // refused before anything ran, or a script ended its transaction itself.
  const inTransaction = await sql
    .raw('select 1')
    .execute(conn)
    .then(
      () => false,
      (probe: unknown) => {
        if (sqlState(probe) === IN_FAILED_TRANSACTION) return true;
        throw probe;
      },
    );
  if (inTransaction) await sql.raw('rollback').execute(conn);
  const marker = await currentStepMarker(conn);
  const committed = marker ? batch.markers.indexOf(marker) + 1 : 0;
  const code = sqlState(error);
  const failed = (then: 'report' | 'retry' | 'ended' | 'commit', reported = error): BatchOutcome => ({
    kind: 'failed',
    committed,
    error: reported,
    then,
  });
  // Ended by the script (part of it may be committed), or its check undone by a RESET ALL of the
  // script's own (still in the transaction): the single-step path tells them apart and says so.
  if (code === TRANSACTION_ENDED) return failed(inTransaction ? 'retry' : 'ended');
  if (code === LOCK_NOT_AVAILABLE) return failed('retry');
  const at = errorPosition(error);
  const inScript =
    at === undefined
      ? undefined
      : batch.scripts.findIndex((s) => at >= s.offset && at <= s.offset + s.sql.length);
  const failing = batch.scripts[committed];
  if (!inTransaction) {
    // Outside any transaction with nothing committed: the text was refused before anything ran
    // (a syntax error: where it points), or the first step's COMMIT failed. Only an error that
    // points into the first script is that step's; anything else runs again step by step.
    if (committed === 0)
      return inScript === 0 && failing
        ? failed('report', scriptError(error, failing.sql, -failing.offset, failing.sql))
        : failed('retry');
    // The steps before `committed` did commit: the COMMIT of the one at `committed` failed.
    return failed('commit');
  }
  // In the failing step's transaction: its script, or our statements around it, failed.
  if (!failing || (inScript !== undefined && inScript >= 0 && inScript !== committed)) return failed('retry');
  return failed('report', scriptError(error, failing.sql, -failing.offset, failing.sql));
}

/** The 0-based offset in the sent text the database's error points at, if any. */
function errorPosition(error: unknown): number | undefined {
  const position = Number((error as { position?: unknown } | null)?.position);
  return Number.isInteger(position) && position > 0 ? position - 1 : undefined;
}
