/**
 * Schemas a hosted PostgreSQL (Supabase) manages itself: the PostgreSQL
 * driver's one list (dialects/postgres/managed-schemas.ts), which drift,
 * verify and reset use too. A live database has them, and so does a scratch
 * database with the platform's stand-in; the migrations do not own them, so
 * codegen leaves them out (config codegen.platformTables brings single tables
 * back, e.g. auth.users).
 */
export { MANAGED_SCHEMAS as PLATFORM_SCHEMAS } from '../dialects/postgres/managed-schemas.ts';
