import { resolveTarget } from '../plan.ts';
import type { RunContext } from '../run-context.ts';

/**
 * Adopts an existing database: records every migration up to `version` as
 * applied without running it. Returns the versions recorded (with dryRun:
 * the versions it would record).
 */
export async function baselineVersions(
  ctx: RunContext,
  version: number,
  details = 'baseline',
): Promise<number[]> {
  const { sources, history, initialized, rows } = await ctx.readRunnable();
  resolveTarget(history, sources, version);
  const toMark = history.pending.filter((s) => s.version <= version);
  if (!toMark.length) return [];
  if (ctx.options.dryRun) return toMark.map((s) => s.version);
  await ctx.ensureTracking(initialized);
  await ctx.locked('baseline', rows, async (trx, store) => {
    for (const s of toMark) {
      const row = { version: s.version, name: s.name, checksum: s.checksum };
      await store.run(
        trx,
        store.insert(trx, { ...row, state: 'applied', executionMs: 0 }),
        store.appendHistory(trx, { ...row, action: 'baseline', executionMs: 0, details }),
      );
    }
  });
  return toMark.map((s) => s.version);
}
