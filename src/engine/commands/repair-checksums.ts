import type { RunContext } from '../run-context.ts';

/** Accepts the current files' checksums; with forgetMissing, drops rows whose file is gone. */
export async function repairChecksums(
  ctx: RunContext,
  options: { forgetMissing?: boolean } = {},
): Promise<{ updated: number[]; forgotten: number[] }> {
  const { history, rows } = await ctx.read();
  const updated = history.changed.map((c) => c.version);
  const forgotten = options.forgetMissing ? history.missing : [];
  if (!updated.length && !forgotten.length) return { updated, forgotten: [] };
  await ctx.locked('repair', rows, async (trx, store) => {
    for (const change of history.changed) {
      await store.run(
        trx,
        store.setChecksum(trx, change.version, change.actual!),
        store.appendHistory(trx, {
          ...change,
          action: 'repair',
          checksum: change.actual,
          details: `was ${change.expected}`,
        }),
      );
    }
    for (const gone of forgotten) {
      await store.run(
        trx,
        store.remove(trx, gone.version),
        store.appendHistory(trx, {
          ...gone,
          action: 'repair-forget',
          checksum: gone.expected,
          details: 'file was deleted',
        }),
      );
    }
  });
  return { updated, forgotten: forgotten.map((m) => m.version) };
}
