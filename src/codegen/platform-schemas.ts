/**
 * Schemas a hosted PostgreSQL (Supabase) manages itself. A live database has
 * them, and so does a scratch database with the platform's stand-in; the
 * migrations do not own them, so codegen leaves them out (config
 * codegen.platformTables brings single tables back, e.g. auth.users).
 */
export const PLATFORM_SCHEMAS = [
  '_analytics',
  '_realtime',
  'auth',
  'cron',
  'extensions',
  'graphql',
  'graphql_public',
  'net',
  'pgbouncer',
  'pgsodium',
  'pgsodium_masks',
  'realtime',
  'storage',
  'supabase_functions',
  'supabase_migrations',
  'vault',
] as const;
