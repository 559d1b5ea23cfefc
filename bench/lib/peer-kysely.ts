import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator } from 'kysely';
import type { AnyKysely } from '../../src/engine/any-kysely.ts';

/** Kysely's own Migrator on a folder of TS modules, as its docs set it up; throws on failure. */
export async function kyselyMigrateToLatest(db: AnyKysely, folder: string): Promise<number> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results?.length ?? 0;
}
