import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchemaFile,
  readSchemaFile,
  readSchemaFileFingerprint,
  schemaFileFingerprint,
} from '../index.ts';
import type { CommandContext } from './context.ts';

/**
 * After latest/up/down changed the schema in development, rewrite
 * generated/schema.sql like the types (codegen-hook.ts). Skipped in about a
 * millisecond when the file's fingerprint says the migrations are unchanged;
 * off with --no-codegen, NODE_ENV=production, KMIGRATE_NO_CODEGEN,
 * KMIGRATE_NO_SCHEMA_DUMP and schemaFile.afterMigrate: false. Never fails the
 * run: the migration already succeeded, a problem here is a warning.
 */
export async function rewriteSchemaFileAfterMigrate(ctx: CommandContext): Promise<void> {
  if (ctx.options.codegen === false || !ctx.config.schemaFile.afterMigrate) return;
  const env = ctx.io.env;
  if (env.NODE_ENV === 'production' || env.KMIGRATE_NO_CODEGEN || env.KMIGRATE_NO_SCHEMA_DUMP) return;
  const file = ctx.config.schemaFilePath;
  const label = path.relative(ctx.io.cwd, file) || file;
  try {
    const dialect = ctx.config.schemaFile.dialect;
    const current = readSchemaFile(file);
    if (readSchemaFileFingerprint(current) === schemaFileFingerprint(ctx.config, dialect)) return;
    const fresh = await buildSchemaFile(ctx.config, { dialect, env });
    if (fresh === current) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, fresh);
    ctx.reporter.info(`Rewrote ${label} (${dialect}).`);
  } catch (error) {
    ctx.reporter.warn(
      `${label} was not rewritten: ${(error as Error).message}; run \`kmigrate schema dump\` once it is fixed`,
    );
  }
}
