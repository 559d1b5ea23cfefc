import { parseDatabaseUrl } from '../config/database-url.ts';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { OpenDatabase } from '../dialects/open-database.ts';
import { MigrationFailedError, oneLine } from '../engine/errors.ts';
import { openMigrator } from '../open-migrator.ts';
import { CodegenError } from './codegen-error.ts';
import { type RenderOptions, renderTypes } from './render-types.ts';

/**
 * Applies every migration to an empty scratch database with the engine (the
 * same code path as `migrate latest`), then renders its types while the
 * connection is still open.
 */
export async function buildAndRender(
  config: ResolvedConfig,
  url: string,
  options: Pick<RenderOptions, 'excludeSchemas'> = {},
): Promise<string> {
  const database = parseDatabaseUrl(url, 'scratch database', config.rootDir);
  const opened = await openMigrator({ ...config, database });
  try {
    try {
      await opened.migrator.latest();
    } catch (error) {
      if (error instanceof MigrationFailedError) {
        const where = error.line ? `${error.file}:${error.line}` : error.file;
        throw new CodegenError(
          where,
          `migration ${error.version} failed on the scratch ${database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} database: ${oneLine(error.databaseMessage)}`,
          'fix the migration and run `migrate codegen` again (no real database was touched)',
          { cause: error },
        );
      }
      throw error;
    }
    return await renderDatabase(config, opened.database, options);
  } finally {
    await opened.close();
  }
}

/** Types of an open database, the configured tracking tables left out. */
export function renderDatabase(
  config: Pick<ResolvedConfig, 'schema' | 'table'>,
  database: Pick<OpenDatabase, 'db' | 'adapter'>,
  options: Pick<RenderOptions, 'excludeSchemas'> = {},
): Promise<string> {
  return renderTypes(database.db, {
    dialect: database.adapter.dialect,
    trackingTable: { schema: config.schema, name: config.table },
    ...options,
  });
}
