/**
 * "Does this statement only read?" for lint's mixed-non-transactional rule: a
 * query that changes nothing cannot stay half-applied when a later statement of
 * a non-transactional migration fails, so it does not make the migration
 * "mixed" (migrations/002 reads pg_index to find an INVALID leftover before its
 * CONCURRENTLY builds; see docs/decisions/0003-shipped-migrations-pass-lint.md).
 *
 * Deliberately narrow: a plain SELECT (no WITH, which may hide INSERT/UPDATE/
 * DELETE; no INTO, which creates a table; no FOR UPDATE/SHARE, which takes row
 * locks) whose every function call is one of the side-effect-free built-ins
 * below. Any other call — a user function, nextval, setval, set_config,
 * pg_advisory_lock, pg_terminate_backend — may change something, so such a
 * statement still counts. A false "not read-only" only keeps a finding.
 */

/** Built-in functions that read and change nothing (catalog lookups, aggregates, text helpers). */
const PURE_FUNCTIONS = new Set([
  'current_schema',
  'current_schemas',
  'current_database',
  'current_user',
  'session_user',
  'current_setting',
  'to_regclass',
  'to_regtype',
  'to_regnamespace',
  'to_regproc',
  'to_regprocedure',
  'to_regrole',
  'obj_description',
  'col_description',
  'pg_get_indexdef',
  'pg_get_constraintdef',
  'pg_get_expr',
  'pg_table_is_visible',
  'has_table_privilege',
  'has_schema_privilege',
  'format_type',
  'count',
  'sum',
  'min',
  'max',
  'bool_and',
  'bool_or',
  'array_agg',
  'string_agg',
  'coalesce',
  'nullif',
  'greatest',
  'least',
  'lower',
  'upper',
  'length',
  'format',
  'quote_ident',
  'quote_literal',
]);

/** Keywords that may be followed by `(` without being a function call. */
const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'not',
  'in',
  'exists',
  'any',
  'all',
  'some',
  'array',
  'values',
  'cast',
  'row',
  'on',
  'using',
  'join',
  'as',
  'case',
  'when',
  'then',
  'else',
  'is',
  'distinct',
  'over',
  'filter',
  'within',
  'group',
  'by',
  'having',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'between',
  'like',
  'ilike',
]);

export function isReadOnlyQuery(statement: string): boolean {
  const text = codeOnly(statement).trim().toLowerCase();
  if (!/^select\b/.test(text)) return false;
  if (/\binto\b/.test(text)) return false;
  if (/\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/.test(text)) return false;
  for (const call of text.matchAll(/([a-z_][a-z0-9_$]*(?:\s*\.\s*[a-z_][a-z0-9_$]*)?)\s*\(/g)) {
    const name = call[1]!.replace(/\s+/g, '').replace(/^pg_catalog\./, '');
    if (name.includes('.')) return false;
    if (!KEYWORDS.has(name) && !PURE_FUNCTIONS.has(name)) return false;
  }
  return true;
}

/**
 * The statement with comments removed and every string literal, dollar quote
 * and quoted identifier replaced by a placeholder, in one pass (so a `--`
 * inside a string or a quote inside a comment cannot confuse the other).
 */
function codeOnly(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const skip =
      /^--[^\n]*/.exec(rest) ??
      /^\/\*[\s\S]*?(\*\/|$)/.exec(rest) ??
      /^'(?:[^']|'')*('|$)/.exec(rest) ??
      /^"(?:[^"]|"")*("|$)/.exec(rest) ??
      /^\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?(\$\1\$|$)/.exec(rest);
    if (skip) {
      out += skip[0].startsWith('"') ? ' q ' : ' ';
      i += skip[0].length;
      continue;
    }
    out += sql[i];
    i++;
  }
  return out;
}
