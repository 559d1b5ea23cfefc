import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/load-config.ts';
import { dumpSchema } from '../dialects/schema-dump.ts';
import { adviceCommand } from '../engine/advice.ts';
import { MigrateError } from '../engine/errors.ts';
import { openMigrator } from '../open-migrator.ts';
import { FileMigrationProvider } from '../sources/file-migration-provider.ts';
import { integritySumExists, writeIntegritySum } from '../sources/integrity-sum.ts';

/** `init --from-live` refused: the database is already tracked, empty, or the folder has migrations. Exit 4. */
export class AdoptionRefusedError extends MigrateError {
  override readonly name = 'AdoptionRefusedError';
  readonly exitCode = 4;
}

export interface AdoptionResult {
  version: number;
  /** The migration files written, relative to the config's folder. */
  files: string[];
  /** Objects (tables, views, …) the first migration builds. */
  objects: number;
  source: string;
}

export const ADOPTION_MIGRATION = '001_existing_schema';

/**
 * Adopts a database that has a schema but no kmigrate history: writes a first
 * migration (an .up.sql building the current schema, a .down.sql removing it) and
 * records it applied without running it, so verify, drift and codegen work at
 * once. Refuses (nothing written) when the database is already tracked, has no
 * schema, or the folder already holds migrations.
 */
export async function adoptLiveDatabase(
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AdoptionResult> {
  const folder = config.migrationsPath;
  fs.mkdirSync(folder, { recursive: true });
  const existing = await new FileMigrationProvider({ migrationFolder: folder }).loadSources();
  if (existing.length) {
    throw new AdoptionRefusedError(
      `${path.relative(config.rootDir, folder) || folder} already has ${existing.length} migration(s); nothing was written. If the database already has them, record them with \`${adviceCommand(`baseline ${existing.at(-1)!.version}`)}\``,
    );
  }
  const opened = await openMigrator(config);
  let dump: Awaited<ReturnType<typeof dumpSchema>>;
  try {
    const status = await opened.migrator.status();
    if (status.entries.some((e) => e.state !== 'pending')) {
      throw new AdoptionRefusedError(
        `${opened.database.label} is already tracked by kmigrate (version ${status.currentVersion}); nothing was written. See \`${adviceCommand('status')}\``,
      );
    }
    dump = await dumpSchema({
      target: config.database,
      db: opened.database.db,
      trackingTable: { schema: config.schema, name: config.table },
      env,
    });
    if (!dump.objects) {
      throw new AdoptionRefusedError(
        `${opened.database.label} has no tables or other objects to adopt; nothing was written. Start with \`${adviceCommand('create "first migration"')}\``,
      );
    }
  } finally {
    await opened.close();
  }
  const header = (what: string) =>
    `-- ${what}\n-- Written by \`kmigrate init --from-live\` from ${dump.source}.\n-- Recorded as applied there; on any other database it builds the schema from nothing.\n\n`;
  const files = {
    [`${ADOPTION_MIGRATION}.up.sql`]: `${header('The schema the database had when kmigrate adopted it.')}${dump.up.trim()}\n`,
    [`${ADOPTION_MIGRATION}.down.sql`]: `${header('Removes everything the up built.')}${dump.down.trim()}\n`,
  };
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(folder, name), content, { flag: 'wx' });
  }
  // The folder's integrity sum (if it keeps one) must name the new files, or the recorder below refuses.
  if (integritySumExists(folder)) writeIntegritySum(folder);
  // A fresh migrator reads the files just written; the row is recorded under the lock, with history.
  const recorder = await openMigrator(config);
  try {
    await recorder.migrator.baseline(1, 'init --from-live');
  } finally {
    await recorder.close();
  }
  return {
    version: 1,
    files: Object.keys(files).map((f) => path.relative(config.rootDir, path.join(folder, f))),
    objects: dump.objects,
    source: dump.source,
  };
}
