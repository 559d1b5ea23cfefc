import type { MigrationSource } from '../engine/types.ts';
import { platformReferenceHints } from '../sources/platform-references.ts';
import type { CommandContext } from './context.ts';

/** Before a scratch build with no platform configured: one hint line per migration that uses Supabase's objects. */
export function printPlatformHints(ctx: CommandContext, sources: readonly MigrationSource[]): void {
  if (ctx.config.platform) return;
  for (const hint of platformReferenceHints(ctx.config.migrationsPath, sources)) ctx.reporter.info(hint);
}
