import fs from 'node:fs';
import path from 'node:path';

/*
 * Prisma Migrate's folder layout: one folder per migration,
 * `<timestamp>_<name>/migration.sql` (an up with no down), next to its
 * `migration_lock.toml`. Such a folder is listed as the file
 * `<timestamp>_<name>/migration.sql`: its version is the timestamp, its id
 * (the name `_prisma_migrations` keeps) the folder's name.
 */

const MIGRATION_FILE = 'migration.sql';
const MIGRATION_FOLDER = /^\d+_[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** `<timestamp>_<name>/migration.sql`, as listed. */
export const PRISMA_MIGRATION = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\/migration\.sql$/;

/** The migrations folder's entries: its files, and `<folder>/migration.sql` for each Prisma migration folder. */
export function migrationFolderEntries(folder: string): string[] {
  const entries: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const file = `${entry.name}/${MIGRATION_FILE}`;
    entries.push(
      entry.isDirectory() && MIGRATION_FOLDER.test(entry.name) && fs.existsSync(path.join(folder, file))
        ? file
        : entry.name,
    );
  }
  return entries;
}
