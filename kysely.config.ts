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
  codegen: { outFile: 'generated/db.ts' },
});
