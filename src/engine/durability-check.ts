import { RunNotDurableError } from './errors.ts';
import type { RunContext } from './run-context.ts';
import type { MigrationResult } from './types.ts';

/**
 * After RunNotDurableError (the driver could not confirm the run's commits
 * are durable: the server went away), read the tracking rows again from a
 * fresh connection. Rows the database has after coming back are durable
 * (crash recovery already wrote them). So:
 *  - every step the run did is there: the run's own outcome stands — its
 *    failure if it failed (returned as an error to throw), else its results;
 *  - some are gone: RunNotDurableError naming them (they are simply not
 *    applied now; the next run applies them again);
 *  - the database cannot be read: the error as it was (only it can say).
 */
export async function checkDurability(
  ctx: RunContext,
  done: readonly MigrationResult[],
  error: RunNotDurableError,
): Promise<{ error: unknown } | { results: MigrationResult[] }> {
  const rows = await readWhenBack(ctx);
  if (rows === undefined) return { error };
  const applied = new Set((rows ?? []).filter((r) => r.state === 'applied').map((r) => r.version));
  const lost = done
    .filter((r) => r.status === 'applied' || r.status === 'reverted')
    .filter((r) => (r.direction === 'up' ? !applied.has(r.version) : applied.has(r.version)))
    .map((r) => ({ version: r.version, name: r.name }));
  if (lost.length)
    return {
      error: new RunNotDurableError(error.commits, {
        cause: error.cause,
        runFailure: error.runFailure,
        lost,
      }),
    };
  return error.runFailure === undefined ? { results: [...done] } : { error: error.runFailure };
}

/** How long to wait for the database to answer again (a restart's crash recovery) before saying "unknown". */
export const DURABILITY_CHECK_MS = 15_000;

/**
 * The tracking rows, read as soon as the database answers again: the pool's
 * broken connections fail one by one and are dropped, a restarting server
 * refuses connections until its crash recovery is done.
 */
async function readWhenBack(
  ctx: RunContext,
): Promise<Awaited<ReturnType<RunContext['store']['read']>> | undefined> {
  const until = Date.now() + DURABILITY_CHECK_MS;
  for (;;) {
    try {
      return await ctx.store.read(ctx.db);
    } catch {
      if (Date.now() >= until) return undefined;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
