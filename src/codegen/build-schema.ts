import type { ResolvedConfig } from '../config/load-config.ts';
import type { OpenDatabase } from '../dialects/open-database.ts';
import {
  type ScratchDatabase,
  type ScratchOptions,
  withScratchDatabase,
} from '../dialects/scratch-database.ts';
import { buildOnScratch } from '../engine/scratch-build.ts';
import { FileMigrationProvider } from '../sources/file-migration-provider.ts';
import { assertIntegritySum } from '../sources/integrity-sum.ts';
import type { CodegenLog } from './codegen-log.ts';
import { PLATFORM_SCHEMAS } from './platform-schemas.ts';
import { type RenderOptions, renderTypes } from './render-types.ts';

/**
 * Applies every migration to an empty scratch database of `dialect` with the
 * engine (the same step runner as `migrate latest`), then renders its types
 * while the connection is still open. Depends on the files alone: the
 * configured database is never used.
 */
export async function buildAndRender(
  config: ResolvedConfig,
  dialect: ScratchOptions['dialect'],
  scratchOptions: { env: NodeJS.ProcessEnv; log: CodegenLog },
): Promise<{ body: string; backend: ScratchDatabase['backend'] }> {
  // The platform's own tables are not the migrations' to type, unless asked for (codegen.platformTables).
  const options: Pick<RenderOptions, 'excludeSchemas' | 'includeTables'> = config.platform
    ? { excludeSchemas: PLATFORM_SCHEMAS, includeTables: config.codegen.platformTables }
    : {};
  // Files first: a folder that does not match its kmigrate.sum, or a bad file name, fails before any server starts.
  assertIntegritySum(config.migrationsPath, config.integritySum);
  const provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath });
  const sources = await provider.loadSources();
  const repeatables = await provider.loadRepeatables();
  return withScratchDatabase(
    {
      dialect,
      env: scratchOptions.env,
      resetSchemas: [config.schema],
      connectTimeoutMs: config.connectTimeoutMs,
      allowEmbedded: true,
      log: (line) => scratchOptions.log.log(line),
      ...(config.platform ? { platform: config.platform } : {}),
    },
    async (scratch) => {
      await buildOnScratch(scratch, {
        sources,
        repeatables,
        table: { schema: config.schema, name: config.table },
        settings: {
          lockTimeoutMs: config.lockTimeoutMs,
          statementLockTimeoutMs: config.statementLockTimeoutMs,
          statementTimeoutMs: config.statementTimeoutMs,
          lockRetries: 0,
        },
      });
      return { body: await renderDatabase(config, scratch, options), backend: scratch.backend };
    },
  );
}

/** Types of an open database, the configured tracking tables left out. */
export function renderDatabase(
  config: Pick<ResolvedConfig, 'schema' | 'table'>,
  database: Pick<OpenDatabase, 'db' | 'adapter'>,
  options: Pick<RenderOptions, 'excludeSchemas' | 'includeTables'> = {},
): Promise<string> {
  return renderTypes(database.db, {
    dialect: database.adapter.dialect,
    trackingTable: { schema: config.schema, name: config.table },
    ...options,
  });
}
