import type { CommandContext } from './context.ts';

/**
 * After latest/up/down changed the schema in development, regenerate
 * generated/db.ts. Off with --no-codegen, in production (NODE_ENV=production),
 * and when the config says codegen.afterMigrate: false.
 */
export async function regenerateTypesAfterMigrate(ctx: CommandContext): Promise<void> {
  if (ctx.options.codegen === false || !ctx.config.codegen.afterMigrate) return;
  if (ctx.io.env.NODE_ENV === 'production' || ctx.io.env.KMIGRATE_NO_CODEGEN) return;
  // The facade loads codegen on demand: a migration run that changes nothing never evaluates it.
  await ctx.withMigrator((migrator) =>
    migrator.regenerateTypes({
      log: (line) => ctx.reporter.info(line),
      warn: (line) => ctx.reporter.warn(line),
    }),
  );
}
