import { ForceRefusedError, UnknownVersionError } from '../errors.ts';
import type { RunContext } from '../run-context.ts';
import type { MigrationSource, TrackingRow } from '../types.ts';

export interface ForceOptions {
  /** The step was undone by hand: remove its row instead of marking it applied. */
  notApplied?: boolean;
  /** Also for a row that is applied cleanly (normally: nothing to fix, refused). */
  override?: boolean;
}

/**
 * After a human fixed a dirty state: marks `version` applied (it was
 * finished by hand) or, with notApplied, removes its row (it was undone).
 * Refuses while the step is still running elsewhere, and for a row that is
 * applied cleanly (nothing to fix) unless `override`.
 */
export async function forceVersion(
  ctx: RunContext,
  version: number,
  options: ForceOptions = {},
): Promise<TrackingRow | undefined> {
  const read = await ctx.read();
  const source = read.sources.find((s) => s.version === version);
  const row = read.rows.find((r) => r.version === version);
  if (!source && !row) {
    throw new UnknownVersionError(String(version), 'is neither a migration file nor a tracking row');
  }
  assertForceable(version, row, source, options);
  if (row && row.state !== 'applied' && (await ctx.adapter.isLockHeld(ctx.db, ctx.table))) {
    throw new ForceRefusedError(
      version,
      'in-progress',
      `migration ${version} is still running in another process (it holds the migration lock), so it is not dirty; wait for it to finish, then check \`migrate status\``,
    );
  }
  await ctx.ensureTracking(read.initialized);
  const name = source?.name ?? row?.name ?? '';
  const checksum = source?.checksum ?? row?.checksum ?? '';
  await ctx.locked('force', read.rows, async (trx, store) => {
    if (options.notApplied) await store.run(trx, store.remove(trx, version));
    else if (row) await store.run(trx, store.setState(trx, version, { state: 'applied', error: null }));
    else
      await store.run(trx, store.insert(trx, { version, name, checksum, state: 'applied', executionMs: 0 }));
    await store.run(
      trx,
      store.appendHistory(trx, {
        version,
        name,
        action: options.notApplied ? 'force-not-applied' : 'force',
        checksum: source?.checksum ?? null,
        // What it was forced from, so that the trail keeps why (the row's error goes with it).
        details: row ? `was ${row.state}${row.error ? `: ${row.error}` : ''}` : 'had no row',
      }),
    );
  });
  return (await ctx.store.read(ctx.db))?.find((r) => r.version === version && r.state === 'applied');
}

function assertForceable(
  version: number,
  row: TrackingRow | undefined,
  source: MigrationSource | undefined,
  options: ForceOptions,
): void {
  if (options.override || !row || row.state !== 'applied') return;
  if (source && source.checksum !== row.checksum) return;
  throw new ForceRefusedError(
    version,
    'applied',
    `migration ${version}_${row.name} is applied and finished cleanly, so there is nothing to force${options.notApplied ? ' (forgetting it would leave its changes untracked)' : ''}; use \`migrate down\` to undo it, or pass --override if you are sure`,
  );
}
