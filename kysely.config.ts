import { defineConfig } from './src/config/define-config.ts';

/**
 * The one configuration of the migration toolchain.
 *
 * Database URL: `--url` flag, else the DATABASE_URL environment variable, else
 * `databaseUrl` below, else the embedded default `sqlite:./data/dev.sqlite`.
 * Accepted: postgres://, postgresql://, sqlite:PATH, file:PATH, sqlite::memory:.
 */
export default defineConfig({
  migrationsDir: 'migrations',
  table: 'schema_migrations',
  schema: 'public',
  lockTimeoutMs: 60_000,
  // Production is Supabase: verify, drift and codegen build the migrations on a Supabase stand-in
  // (auth.users, its roles, …), so 005's foreign key to auth.users is built and compared there too.
  platform: 'supabase',
  codegen: { outFile: 'generated/db.ts' },
});
