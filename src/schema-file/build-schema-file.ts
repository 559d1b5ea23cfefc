import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { ResolvedConfig } from '../config/load-config.ts';
import { withScratchDatabase } from '../dialects/scratch-database.ts';
import { snapshotOptions } from '../engine/drift.ts';
import { buildOnScratch } from '../engine/scratch-build.ts';
import { FileMigrationProvider } from '../sources/file-migration-provider.ts';
import { assertIntegritySum, computeIntegritySum } from '../sources/integrity-sum.ts';
import { renderSchemaFile, SCHEMA_FILE_FORMAT_VERSION } from './render-schema-file.ts';

export type SchemaFileDialect = 'sqlite' | 'postgres';

export interface SchemaFileOptions {
  dialect: SchemaFileDialect;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Everything the schema file depends on: the migration files (their running
 * hash, the same one kmigrate.sum holds), the dialect, the format and the
 * tracking table left out. Files only: no database.
 */
export function schemaFileFingerprint(
  config: Pick<ResolvedConfig, 'migrationsPath' | 'schema' | 'table'>,
  dialect: SchemaFileDialect,
): string {
  const lines = [
    `kmigrate-schema-format ${SCHEMA_FILE_FORMAT_VERSION}`,
    `dialect ${dialect}`,
    `tracking-table ${config.schema}.${config.table}`,
    `migrations ${computeIntegritySum(config.migrationsPath).total}`,
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Builds every migration on an empty scratch database of `dialect` (the same
 * service and step runner as codegen, drift and verify), snapshots it and
 * renders generated/schema.sql. The configured database is never used.
 */
export async function buildSchemaFile(config: ResolvedConfig, options: SchemaFileOptions): Promise<string> {
  assertIntegritySum(config.migrationsPath, config.integritySum);
  const provider = new FileMigrationProvider({ migrationFolder: config.migrationsPath });
  const sources = await provider.loadSources();
  const repeatables = await provider.loadRepeatables();
  const table = { schema: config.schema, name: config.table };
  const schemas = [config.schema];
  const snapshot = await withScratchDatabase(
    {
      dialect: options.dialect,
      env: options.env,
      resetSchemas: schemas,
      connectTimeoutMs: config.connectTimeoutMs,
      allowEmbedded: true,
      ...(options.log ? { log: options.log } : {}),
      // The Supabase stand-in (auth.users, roles) lives in managed schemas, which the snapshot never reads.
      ...(config.platform ? { platform: config.platform } : {}),
    },
    async (scratch) => {
      await buildOnScratch(scratch, {
        sources,
        repeatables,
        table,
        settings: {
          lockTimeoutMs: config.lockTimeoutMs,
          statementLockTimeoutMs: config.statementLockTimeoutMs,
          statementTimeoutMs: config.statementTimeoutMs,
          lockRetries: 0,
        },
      });
      return scratch.adapter.snapshotSchema(scratch.db, snapshotOptions(schemas, table));
    },
  );
  return renderSchemaFile(snapshot, schemaFileFingerprint(config, options.dialect));
}

export function readSchemaFile(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
