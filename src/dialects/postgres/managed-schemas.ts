/**
 * Schemas Supabase (and PostgreSQL itself) manages. Drift, verify and reset never
 * touch them (the PostgreSQL driver's isManagedSchema capability): their content changes with platform upgrades, not with our
 * migrations.
 */
export const MANAGED_SCHEMAS: readonly string[] = [
  'auth',
  'storage',
  'realtime',
  'extensions',
  'graphql',
  'graphql_public',
  'vault',
  'pgsodium',
  'pgsodium_masks',
  'supabase_functions',
  'supabase_migrations',
  'net',
  'cron',
  'pgbouncer',
  'pgmq',
  'pgtle',
  '_realtime',
  '_analytics',
  '_supavisor',
  'information_schema',
];

export function isManagedSchema(schema: string): boolean {
  return MANAGED_SCHEMAS.includes(schema) || schema.startsWith('pg_');
}
