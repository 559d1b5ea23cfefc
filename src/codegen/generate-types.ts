import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../config/load-config.ts';
import { openDatabase } from '../dialects/open-database.ts';
import type { ScratchBackend } from '../dialects/scratch-database.ts';
import { buildAndRender, renderDatabase } from './build-schema.ts';
import { CodegenError } from './codegen-error.ts';
import { type CodegenLog, SILENT_LOG } from './codegen-log.ts';
import { migrationsFingerprint } from './fingerprint.ts';
import { readGeneratedFile, renderGeneratedFile } from './generated-file.ts';
import { PLATFORM_SCHEMAS } from './platform-schemas.ts';

export interface CodegenOptions {
  /** Where the scratch-database variables (KMIGRATE_SCRATCH_DATABASE_URL, …) are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  log?: CodegenLog;
}

export interface GeneratedTypesFile {
  /** The complete file, header included. */
  readonly content: string;
  /** undefined for --from-live output. */
  readonly fingerprint?: string;
  /** Which PostgreSQL built the schema (canonical builds only). */
  readonly backend?: ScratchBackend;
  /** --from-live only: the database product it was read from ("PostgreSQL", "SQLite"). */
  readonly databaseName?: string;
  readonly ms: number;
}

export { PLATFORM_SCHEMAS } from './platform-schemas.ts';

/**
 * The canonical types: every migration applied to a scratch PostgreSQL,
 * introspected by kysely-codegen, under a header carrying the migrations'
 * fingerprint. The result depends only on the migration files.
 */
export async function generateTypesFromMigrations(
  config: ResolvedConfig,
  options: CodegenOptions = {},
): Promise<GeneratedTypesFile> {
  const started = Date.now();
  const log = options.log ?? SILENT_LOG;
  // Before any server starts: a bad migration file name fails here, in milliseconds.
  const fingerprint = await migrationsFingerprint(config);
  const { body, backend } = await buildAndRender(config, 'postgres', {
    env: options.env ?? process.env,
    log,
  });
  return {
    content: renderGeneratedFile(body, { kind: 'migrations', fingerprint }, config.rootDir),
    fingerprint,
    backend,
    ms: Date.now() - started,
  };
}

/** Types of the connected database (--url / DATABASE_URL), whichever dialect it is. */
export async function generateTypesFromLive(config: ResolvedConfig): Promise<GeneratedTypesFile> {
  const started = Date.now();
  const database = await openDatabase(config.database, { connectTimeoutMs: config.connectTimeoutMs });
  try {
    const body = await renderDatabase(config, database, {
      excludeSchemas: PLATFORM_SCHEMAS,
      includeTables: config.codegen.platformTables,
    });
    const dialect = database.adapter.displayName;
    return {
      content: renderGeneratedFile(body, { kind: 'live', dialect }, config.rootDir),
      databaseName: dialect,
      ms: Date.now() - started,
    };
  } finally {
    await database.close();
  }
}

export interface WriteResult {
  /** False when the file already had exactly this content (it is then not touched). */
  readonly changed: boolean;
  readonly previous: string | undefined;
}

/** Writes the file atomically (temp file + rename), so the app never imports half a file. */
export async function writeGeneratedTypes(config: ResolvedConfig, content: string): Promise<WriteResult> {
  const file = config.codegenOutPath;
  const previous = await readGeneratedFile(file);
  if (previous === content) return { changed: false, previous };
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temp, content);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new CodegenError(
      outFileLabel(config),
      `cannot be written: ${(error as Error).message}`,
      'check that the folder is writable (config codegen.outFile)',
      { cause: error },
    );
  }
  return { changed: true, previous };
}

/** The output file as the user knows it: relative to the project root, forward slashes. */
export function outFileLabel(config: Pick<ResolvedConfig, 'rootDir' | 'codegenOutPath'>): string {
  const relative = path.relative(config.rootDir, config.codegenOutPath);
  return relative.startsWith('..') ? config.codegenOutPath : relative.split(path.sep).join('/');
}
