import { readInvalidIndexes } from '../invalid-index.ts';
import type { RunContext } from '../run-context.ts';
import type { StatusReport } from '../run-result.ts';

/** How each migration stands. Never refuses: it is how you find out why others do. */
export async function readStatus(ctx: RunContext): Promise<StatusReport> {
  const { sources, history, initialized } = await ctx.read();
  // A running row is dirty only when nobody holds the lock: otherwise its step is still going.
  const inProgress = history.dirty.length > 0 && (await ctx.adapter.isLockHeld(ctx.db, ctx.table));
  const entries = inProgress
    ? history.status.map((e) => (e.state === 'dirty' ? { ...e, state: 'in-progress' as const } : e))
    : history.status;
  const sourceByVersion = new Map(sources.map((s) => [s.version, s]));
  return {
    // An applied migration for other dialects only was recorded here, never run: say so (dialect-skip.ts).
    entries: entries.map((entry) => {
      const source = sourceByVersion.get(entry.version);
      const note = entry.state === 'applied' && source ? ctx.runner.skipNote(source) : undefined;
      return note ? { ...entry, note } : entry;
    }),
    currentVersion: history.newestApplied ?? 0,
    pending: history.pending.length,
    dirty: history.dirty.length > 0 && !inProgress,
    inProgress,
    initialized,
    invalidIndexes: await readInvalidIndexes(ctx.adapter, ctx.db, [ctx.table.schema]),
    repeatables: await ctx.repeatables.status(),
  };
}
