import fs from 'node:fs';
import path from 'node:path';
import { MigrationFileError } from '../engine/errors.ts';
import { FileMigrationProvider } from './file-migration-provider.ts';
import { formatMigrationId } from './migration-name.ts';

const MODULE_TEMPLATE = `import type { Kysely } from 'kysely';

// Runs in a transaction together with its tracking row. For statements that
// cannot (CREATE INDEX CONCURRENTLY), add: export const transaction = false;

// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it is at this point, not the generated types.
export async function up(db: Kysely<any>): Promise<void> {
  // await db.schema.createTable('example').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as above.
export async function down(db: Kysely<any>): Promise<void> {
  // await db.schema.dropTable('example').execute();
}
`;

export interface CreatedMigration {
  readonly version: number;
  /** Absolute paths of the files written. */
  readonly files: string[];
}

/**
 * Writes the next migration file (NNN_description.ts, or an .up.sql/.down.sql
 * pair). Never overwrites: a file that appeared meanwhile makes it fail.
 */
export async function createMigrationFile(
  folder: string,
  description: string,
  options: { sql?: boolean } = {},
): Promise<CreatedMigration> {
  fs.mkdirSync(folder, { recursive: true });
  const sources = await new FileMigrationProvider({ migrationFolder: folder }).loadSources();
  const version = (sources.at(-1)?.version ?? 0) + 1;
  const id = formatMigrationId(version, description);
  if (id.endsWith('_'))
    throw new MigrationFileError(description, 'has no letters or digits to name a file with');
  const files = options.sql
    ? { [`${id}.up.sql`]: `-- ${description}\n`, [`${id}.down.sql`]: `-- undo: ${description}\n` }
    : { [`${id}.ts`]: MODULE_TEMPLATE };
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(folder, name), content, { flag: 'wx' });
  }
  return { version, files: Object.keys(files).map((f) => path.join(folder, f)) };
}
