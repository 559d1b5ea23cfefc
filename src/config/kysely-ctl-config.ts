import { ConfigError } from './config-error.ts';

/**
 * kysely-ctl's kysely.config.ts keys (see kysely-ctl's src/config/kysely-ctl-config.mts), read so a
 * kysely-ctl user can switch without rewriting the file. Migration keys that mean something here
 * become ours; keys that only concern kysely-ctl itself are ignored; the rest are refused by name.
 */
const MIGRATION_KEYS: Record<string, 'migrationsDir' | 'table' | 'schema'> = {
  migrationFolder: 'migrationsDir',
  migrationTableName: 'table',
  migrationTableSchema: 'schema',
};
/** kysely-ctl settings with no meaning here: its own lock table, file naming, seeds, JS loading. */
const IGNORED_MIGRATION_KEYS = new Set(['allowJS', 'getMigrationPrefix', 'migrationLockTableName']);
const IGNORED_TOP_KEYS = new Set(['seeds', 'destroyOnExit', 'plugins']);
/** How kysely-ctl connects; kmigrate connects by URL, so these need a URL next to them. */
export const KYSELY_CTL_CONNECTION_KEYS = ['dialect', 'dialectConfig', 'kysely'] as const;

export interface TranslatedConfig {
  config: Record<string, unknown>;
  /** kysely-ctl connection keys present in the file (they cannot be used; a URL must be given). */
  connectionKeys: string[];
}

/** Rewrites kysely-ctl's keys into ours; a config written for kmigrate passes through unchanged. */
export function translateKyselyCtlConfig(raw: unknown): TranslatedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { config: {}, connectionKeys: [] };
  const config: Record<string, unknown> = {};
  const connectionKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if ((KYSELY_CTL_CONNECTION_KEYS as readonly string[]).includes(key)) connectionKeys.push(key);
    else if (IGNORED_TOP_KEYS.has(key)) continue;
    else if (key === 'migrations') Object.assign(config, translateMigrations(value));
    else config[key] = value;
  }
  return { config, connectionKeys };
}

function translateMigrations(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      'migrations',
      'must be an object (kysely-ctl shape)',
      'migrationFolder, migrationTableName, migrationTableSchema',
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const ours = MIGRATION_KEYS[key];
    if (ours) out[ours] = inner;
    else if (!IGNORED_MIGRATION_KEYS.has(key)) {
      throw new ConfigError(
        `migrations.${key}`,
        'is a kysely-ctl setting kmigrate does not support',
        `migrations.${Object.keys(MIGRATION_KEYS).join(', migrations.')} (or kmigrate's own keys)`,
      );
    }
  }
  return out;
}
