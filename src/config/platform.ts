/**
 * The hosted platform a project deploys to, when it provides objects no
 * migration creates. Only Supabase today: with `platform: 'supabase'` every
 * scratch database (drift, verify, codegen) first gets a stand-in of what
 * Supabase provides (src/dialects/postgres/supabase-stand-in.ts).
 */
export const PLATFORMS = ['supabase'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Schemas only a Supabase database has; two of them together mean "this is Supabase". */
const SUPABASE_MARKER_SCHEMAS = ['auth', 'storage', 'supabase_migrations', 'graphql_public', 'realtime'];

/**
 * For `init` and the like: does this database URL, or this list of schema
 * names (e.g. read from the database), look like a Supabase project?
 *  - URL: a host under supabase.co / supabase.com (direct, pooler), a pooler
 *    user `postgres.<project-ref>`, or the local stack's port 54322.
 *  - Schemas: at least two of auth, storage, supabase_migrations,
 *    graphql_public, realtime.
 */
export function detectSupabase(input: string | readonly string[]): boolean {
  if (typeof input !== 'string') {
    const names = new Set(input.map((s) => s.toLowerCase()));
    return SUPABASE_MARKER_SCHEMAS.filter((s) => names.has(s)).length >= 2;
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return false;
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) return false;
  const host = url.hostname.toLowerCase();
  if (/(^|\.)supabase\.(co|com|net)$/.test(host)) return true;
  if (/^postgres\.[a-z0-9]{20}$/.test(decodeURIComponent(url.username))) return true;
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host) && url.port === '54322';
}

/** Roles Supabase creates that migrations grant to or write policies for. */
export const SUPABASE_ROLE_NAMES = [
  'anon',
  'authenticated',
  'service_role',
  'authenticator',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_storage_admin',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_read_only_user',
  'dashboard_user',
  'pgbouncer',
] as const;

const SCHEMA_REFERENCE = /\b(auth|storage|extensions|graphql_public|realtime|vault)\s*\.\s*"?[a-z_]/i;
/** A role list after TO/FROM/ROLE/…: `to anon, authenticated`. */
const ROLE_LIST = /\b(?:to|from|role|authorization)\s+((?:"?[a-z_]+"?\s*,\s*)*"?[a-z_]+"?)/gi;
const SUPABASE_ROLES = new Set<string>(SUPABASE_ROLE_NAMES);

/**
 * What a migration's text uses that only Supabase provides, e.g.
 * `auth.users`, `storage.objects`, `role authenticated`; empty when nothing.
 * Comments are ignored. A hint, not a parser: it looks for schema-qualified
 * names in the platform's schemas and for its roles after TO/FROM/ROLE.
 */
export function supabaseReferences(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(--|\/\/)[^\n]*/g, ' ');
  const found = new Set<string>();
  const schemas = new RegExp(SCHEMA_REFERENCE.source, 'gi');
  for (const m of code.matchAll(schemas)) {
    const rest = code.slice(m.index + m[0].length - 1).match(/^[a-z_][a-z0-9_]*/i)?.[0] ?? '';
    found.add(`${m[1]!.toLowerCase()}.${rest.toLowerCase()}`);
  }
  if (/\bwith\s+schema\s+"?extensions\b/i.test(code)) found.add('schema extensions');
  for (const m of code.matchAll(ROLE_LIST)) {
    for (const name of m[1]!.split(',').map((r) => r.trim().replace(/"/g, '').toLowerCase())) {
      if (SUPABASE_ROLES.has(name)) found.add(`role ${name}`);
    }
  }
  return [...found].sort();
}

/** The one-line hint for a migration that uses Supabase's objects while the setting is off. */
export function platformHint(file: string, references: readonly string[]): string {
  const shown = references.slice(0, 3).join(', ') + (references.length > 3 ? ', …' : '');
  return `${file} uses what Supabase provides (${shown}): set platform: 'supabase' in kysely.config.ts, or pass --platform supabase, to build it on a Supabase stand-in`;
}
