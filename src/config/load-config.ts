import fs from 'node:fs';
import path from 'node:path';
import type * as z from 'zod/mini';
import { importFile } from '../sources/import-file.ts';
import { ConfigError } from './config-error.ts';
import { type DatabaseTarget, DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url.ts';
import { configSchema, type MigrateConfig } from './define-config.ts';
import { translateKyselyCtlConfig } from './kysely-ctl-config.ts';
import type { Platform } from './platform.ts';

export const DEFAULT_CONFIG_FILE = 'kysely.config.ts';

/** Looked for in each folder from the current one upward (kysely-ctl's names, `.config/` included). */
export const CONFIG_FILE_NAMES = [
  'kysely.config.ts',
  'kysely.config.mts',
  'kysely.config.js',
  'kysely.config.mjs',
  '.config/kysely.config.ts',
  '.config/kysely.config.mts',
  '.config/kysely.config.js',
  '.config/kysely.config.mjs',
] as const;

/**
 * The nearest config file from `cwd` upward, or undefined. The search stops at
 * the project's root (the first folder with a package.json): a project without
 * a config of its own never picks up the config of a folder that contains it.
 */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir || fs.existsSync(path.join(dir, 'package.json'))) return undefined;
  }
}

export interface ConfigOverrides {
  url?: string;
  /** `--platform`: 'none' turns a configured platform off. */
  platform?: Platform | 'none';
  dir?: string;
  table?: string;
  lockTimeoutMs?: number;
  stepTimeoutMs?: number;
}

export interface ResolvedConfig extends MigrateConfig {
  /** Folder the config file lives in; relative paths resolve against it. */
  rootDir: string;
  /** The config file that was loaded, if any. */
  configFile?: string;
  /** The chosen database and where the choice came from. */
  database: DatabaseTarget;
  databaseSource: 'flag' | 'env' | 'config' | 'default';
  /** Absolute migrations folder. */
  migrationsPath: string;
  /** Absolute codegen output file. */
  codegenOutPath: string;
  /** Absolute seeds folder. */
  seedsPath: string;
  /** Absolute schema file (generated/schema.sql). */
  schemaFilePath: string;
}

/**
 * Loads and validates the configuration once. The file: `configFile` (must
 * exist), else the nearest kysely.config.* from `cwd` upward; relative paths in
 * it resolve against its folder. URL precedence: --url, then DATABASE_URL, then
 * the config's databaseUrl, then sqlite:./data/dev.sqlite.
 */
export async function loadConfig(
  options: { configFile?: string; cwd?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {},
): Promise<ResolvedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let raw: unknown = {};
  let configFile: string | undefined;
  if (options.configFile) {
    configFile = path.resolve(cwd, options.configFile);
    if (!fs.existsSync(configFile)) {
      throw new ConfigError('--config', `file ${options.configFile} does not exist`);
    }
  } else {
    configFile = findConfigFile(cwd);
  }
  if (configFile) {
    let mod: { default?: unknown };
    try {
      mod = (await importFile(configFile, { config: true })) as { default?: unknown };
    } catch (error) {
      // Without this the user sees the module's own error, with no hint that the config file raised it.
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new ConfigError(
        path.relative(cwd, configFile) || configFile,
        `cannot be loaded (${reason}); fix the file, or pass --config`,
      );
    }
    raw = mod.default ?? {};
  }
  return resolveConfig(raw, {
    cwd: configFile ? path.dirname(configFile) : cwd,
    env,
    overrides: options.overrides,
    configFile,
  });
}

/** Validates a raw config object (from a file or from code) and applies overrides. */
export function resolveConfig(
  raw: unknown,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides; configFile?: string } = {},
): ResolvedConfig {
  const rootDir = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const o = options.overrides ?? {};
  const { config: ours, connectionKeys } = translateKyselyCtlConfig(raw);
  const merged = {
    ...ours,
    ...(o.dir !== undefined ? { migrationsDir: o.dir } : {}),
    ...(o.table !== undefined ? { table: o.table } : {}),
    ...(o.lockTimeoutMs !== undefined ? { lockTimeoutMs: o.lockTimeoutMs } : {}),
    ...(o.stepTimeoutMs !== undefined ? { stepTimeoutMs: o.stepTimeoutMs } : {}),
    ...(o.platform !== undefined ? { platform: o.platform === 'none' ? undefined : o.platform } : {}),
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw toConfigError(parsed.error);
  const config = parsed.data;

  let url: string;
  let source: ResolvedConfig['databaseSource'];
  let key: string;
  if (o.url !== undefined) [url, source, key] = [o.url, 'flag', '--url'];
  else if (env.DATABASE_URL) [url, source, key] = [env.DATABASE_URL, 'env', 'DATABASE_URL'];
  else if (config.databaseUrl) [url, source, key] = [config.databaseUrl, 'config', 'databaseUrl'];
  else if (connectionKeys.length) {
    // A kysely-ctl file says how to connect in code we cannot use; falling back to the SQLite
    // default would migrate a different database than the one the file describes.
    throw new ConfigError(
      connectionKeys[0]!,
      'is kysely-ctl connection code, which kmigrate does not run',
      'set databaseUrl in the config, DATABASE_URL, or --url',
    );
  } else [url, source, key] = [DEFAULT_DATABASE_URL, 'default', 'databaseUrl'];

  return {
    ...config,
    rootDir,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    database: parseDatabaseUrl(url, key, rootDir),
    databaseSource: source,
    migrationsPath: path.resolve(rootDir, config.migrationsDir),
    codegenOutPath: path.resolve(rootDir, config.codegen.outFile),
    seedsPath: path.resolve(rootDir, config.seedsDir),
    schemaFilePath: path.resolve(rootDir, config.schemaFile.outFile),
  };
}

function toConfigError(error: z.core.$ZodError): ConfigError {
  const issue = error.issues[0];
  if (!issue) return new ConfigError('config', 'is invalid');
  const key = issue.path.length ? issue.path.join('.') : 'config';
  if (issue.code === 'unrecognized_keys') {
    return new ConfigError(
      issue.keys.join(', '),
      'is not a known setting',
      Object.keys(configSchema.shape).join(', '),
    );
  }
  return new ConfigError(key, issue.message);
}
