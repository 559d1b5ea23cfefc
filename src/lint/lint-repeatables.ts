import type { RepeatableSource } from '../engine/repeatable-types.ts';
import type { MigrationSource } from '../engine/types.ts';

/**
 * Repeatables as lint sees them: one more unit after the versioned ones
 * (they run after them), version 0 and named by their id (`R__active_users`),
 * always in a transaction.
 */
export function repeatablesForLint(repeatables: readonly RepeatableSource[]): MigrationSource[] {
  return repeatables.map((r) => ({
    version: 0,
    name: r.id,
    id: r.id,
    files: [r.file],
    kind: r.kind,
    checksum: r.checksum,
    ...(r.dialects ? { dialects: r.dialects } : {}),
    load: async () => ({ transactional: true, up: await r.load() }),
  }));
}
