import type { KMigrator } from '../index.ts';
import type { CommandContext } from './context.ts';

/** Before a scratch build with no platform configured: one hint line per migration that uses Supabase's objects. */
export async function printPlatformHints(ctx: CommandContext, migrator: KMigrator): Promise<void> {
  for (const hint of await migrator.platformHints()) ctx.reporter.info(hint);
}
