import { migrateToLatest, migrateUp } from '../../../src/index.ts';
import { createTestDatabase, type Dialect } from '../../support/databases.ts';
import { catalogSnapshot } from './catalog-snapshot.ts';
import { trackingState } from './tracking-state.ts';

export interface CampaignReference {
  /** byVersion[k]: the schema (without tracking tables) after exactly k migrations of a clean run. */
  byVersion: string[][];
  /** The complete schema after a clean run, tracking tables included. */
  finalSchema: string[];
  /** Tracking rows after a clean run (version, name, checksum, state). */
  finalRows: string[];
}

/** What a clean, uninterrupted run produces, one migration at a time, on a fresh database. */
export async function buildReference(
  dialect: Dialect,
  migrationsDir: string,
  count: number,
  options: { stepwise?: boolean } = {},
): Promise<CampaignReference> {
  const database = await createTestDatabase(dialect);
  try {
    const config = { config: { migrationsDir }, cwd: migrationsDir };
    const byVersion: string[][] = [await catalogSnapshot(database)];
    if (options.stepwise ?? true) {
      for (let k = 1; k <= count; k++) {
        await migrateUp(database.url, { ...config, steps: 1 });
        byVersion.push(await catalogSnapshot(database));
      }
    } else {
      await migrateToLatest(database.url, config);
    }
    const state = await trackingState(database);
    return {
      byVersion,
      finalSchema: await catalogSnapshot(database, { includeTracking: true }),
      finalRows: rowKeys(state.rows ?? []),
    };
  } finally {
    await database.drop();
  }
}

export function rowKeys(
  rows: { version: number; name: string; checksum: string; state: string }[],
): string[] {
  return rows.map((r) => `${r.version} ${r.name} ${r.checksum} ${r.state}`);
}
