import { MigrationFileError } from '../engine/errors.ts';
import type { RepeatableSource } from '../engine/repeatable-types.ts';
import type { LoadedMigration, MigrationStep } from '../engine/types.ts';
import { migrationChecksum, normalizeMigrationText } from './checksum.ts';
import { readModuleDialects, readSqlDialects } from './dialect-marker.ts';
import { parseRepeatableName } from './migration-name.ts';
import { isBlank, readDirectives } from './sql-file.ts';

/** What reading repeatables needs from the provider: its checked text reads and module import. */
export interface RepeatableFileAccess {
  readText(file: string): Promise<string>;
  loadModule(file: string, dialects: readonly string[] | undefined): Promise<LoadedMigration>;
}

/**
 * The `R__*` files among `entries` (sorted names), as repeatable sources in
 * name order (code-unit order, the same on every machine). A repeatable
 * always runs in a transaction and has no down: it is applied again, not
 * reverted, so a file that asks otherwise is refused here, before any
 * database is touched.
 */
export async function readRepeatables(
  entries: readonly string[],
  access: RepeatableFileAccess,
): Promise<RepeatableSource[]> {
  const files = entries
    .filter((file) => parseRepeatableName(file))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byId = new Map<string, string>();
  const sources: RepeatableSource[] = [];
  for (const file of files) {
    const parsed = parseRepeatableName(file)!;
    const other = byId.get(parsed.id);
    if (other) {
      throw new MigrationFileError(
        file,
        `repeatable ${parsed.id} is also ${other}`,
        'keep one of them (a repeatable is one file)',
      );
    }
    byId.set(parsed.id, file);
    const text = await access.readText(file);
    const base = { id: parsed.id, name: parsed.description, file, checksum: migrationChecksum(text) };
    if (parsed.kind === 'module') {
      const dialects = readModuleDialects(text, file);
      sources.push({
        ...base,
        kind: 'ts',
        ...(dialects ? { dialects } : {}),
        load: async () => moduleStep(file, await access.loadModule(file, dialects)),
      });
      continue;
    }
    const dialects = readSqlDialects(text, file);
    if (isBlank(text)) throw new MigrationFileError(file, 'is empty', 'write the SQL, or remove the file');
    if (readDirectives(text).transaction === false) {
      throw new MigrationFileError(
        file,
        'a repeatable migration always runs in a transaction (it is applied again whenever it changes, so a failure must leave nothing behind)',
        'remove `-- migrate:no-transaction`, or make it a versioned migration',
      );
    }
    const step: MigrationStep = { kind: 'sql', file, sql: normalizeMigrationText(text) };
    sources.push({ ...base, kind: 'sql', ...(dialects ? { dialects } : {}), load: async () => step });
  }
  return sources;
}

function moduleStep(file: string, loaded: LoadedMigration): MigrationStep {
  if (loaded.down) {
    throw new MigrationFileError(
      file,
      'exports a `down`, but a repeatable migration is never reverted (it is applied again when it changes)',
      'remove the down',
    );
  }
  if (!loaded.transactional) {
    throw new MigrationFileError(
      file,
      '`export const transaction = false`, but a repeatable migration always runs in a transaction',
      'remove it, or make it a versioned migration',
    );
  }
  return loaded.up;
}
