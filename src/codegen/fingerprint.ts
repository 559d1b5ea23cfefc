import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { ResolvedConfig } from '../config/load-config.ts';
import { SUPABASE_STAND_IN_VERSION } from '../dialects/postgres/supabase-stand-in.ts';
import { FileMigrationProvider } from '../sources/file-migration-provider.ts';

/**
 * Bumped when kmigrate changes how it post-processes kysely-codegen's output,
 * so that every generated file is rebuilt once instead of silently keeping the
 * old format behind a matching fingerprint.
 */
export const CODEGEN_FORMAT_VERSION = 2;

let cachedVersion: string | undefined;

/** The installed kysely-codegen version, read from its package.json (no import of the library). */
export function kyselyCodegenVersion(): string {
  if (cachedVersion === undefined) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('kysely-codegen/package.json');
    cachedVersion = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cachedVersion;
}

/**
 * Everything the generated types depend on: the migration files (names and
 * normalised checksums, in a fixed order), the generator version and the
 * tracking table that is left out. Reads files only: no database, no imports,
 * so the "nothing changed" path costs milliseconds.
 */
export async function migrationsFingerprint(
  config: Pick<ResolvedConfig, 'migrationsPath' | 'table' | 'schema'> &
    Partial<Pick<ResolvedConfig, 'platform' | 'codegen'>>,
): Promise<string> {
  const provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath });
  const sources = await provider.loadSources();
  // Repeatables add lines only when there are some: fingerprints of folders without them stay the same.
  const repeatables = await provider.loadRepeatables();
  const lines = [
    `kmigrate-codegen-format ${CODEGEN_FORMAT_VERSION}`,
    `kysely-codegen ${kyselyCodegenVersion()}`,
    `tracking-table ${config.schema}.${config.table}`,
    // Only with a platform: files of projects without one keep their fingerprint.
    ...(config.platform
      ? [
          `platform ${config.platform} stand-in v${SUPABASE_STAND_IN_VERSION}`,
          `platform-tables ${(config.codegen?.platformTables ?? []).join(',')}`,
        ]
      : []),
    ...[
      ...sources.map((s) => `${s.files.join(',')} ${s.checksum}`),
      ...repeatables.map((r) => `${r.file} ${r.checksum}`),
    ]
      // Code-unit order, not localeCompare: the same on every machine and locale.
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
