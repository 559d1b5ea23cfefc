import { sql } from 'kysely';
import { parseDatabaseUrl } from '../config/database-url.ts';
import { detectSupabase, type Platform } from '../config/platform.ts';
import { openDatabase } from './open-database.ts';

export interface PlatformDetection {
  platform: Platform | undefined;
  /** How it was told: from the URL's shape, from the schemas the database has, or not at all. */
  by: 'url' | 'schemas' | 'none';
  /** Why the database was not asked (unreachable, SQLite, …); for --verbose. */
  note?: string;
}

/**
 * For `init`: is the database at `url` a Supabase project? The URL's shape
 * answers first (no connection). A PostgreSQL URL that does not look like
 * Supabase (a self-hosted stack, a custom domain, a restored copy) is asked
 * for its schema names: Supabase's managed schemas give it away. Never
 * throws: a database that cannot be reached only means "not detected" — init
 * must work before the database exists, and `--from-live` reports the
 * connection error itself.
 */
export async function detectPlatform(
  url: string,
  options: { cwd?: string; connectTimeoutMs?: number } = {},
): Promise<PlatformDetection> {
  if (detectSupabase(url)) return { platform: 'supabase', by: 'url' };
  let target: ReturnType<typeof parseDatabaseUrl>;
  try {
    target = parseDatabaseUrl(url, 'url', options.cwd);
  } catch {
    return { platform: undefined, by: 'none', note: 'not a database URL' };
  }
  // SQLite has no schemas of a hosted platform.
  if (target.dialect !== 'postgres') return { platform: undefined, by: 'none', note: 'SQLite' };
  try {
    const open = await openDatabase(target, {
      readOnly: true,
      poolMax: 1,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    });
    try {
      const { rows } = await sql<{ nspname: string }>`select nspname from pg_catalog.pg_namespace`.execute(
        open.db,
      );
      return detectSupabase(rows.map((r) => r.nspname))
        ? { platform: 'supabase', by: 'schemas' }
        : { platform: undefined, by: 'none' };
    } finally {
      await open.close();
    }
  } catch (error) {
    return { platform: undefined, by: 'none', note: (error as Error).message };
  }
}
