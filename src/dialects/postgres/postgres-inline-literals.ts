import type { TrackingWrite } from '../../engine/tracking-store.ts';
import { loadPg } from './load-pg.ts';

/**
 * A tracking query with its values as literals (for a multi-statement query,
 * which cannot carry parameters): Kysely's own compilation, then every `$n`
 * outside quoted identifiers and strings replaced by its value, strings
 * written by pg's escapeLiteral — correct whatever standard_conforming_strings
 * says. Kysely writes no comments or dollar quotes in these queries.
 */
export async function inlineLiterals(
  write: TrackingWrite,
  /** Values written as SQL of the server's instead (SERVER_MEASURED_MS: the time the server measured). */
  serverValues?: ReadonlyMap<unknown, string>,
): Promise<string> {
  // pg is loaded lazily everywhere, so that a SQLite cold start never evaluates it; and once:
  // a dynamic import per call costs more than the substitution (it runs twice per step).
  escapeLiteral ??= (await loadPg()).default.escapeLiteral;
  const { sql, parameters } = write.compile();
  const { texts, indexes } = placeholdersOf(sql);
  let out = texts[0] ?? '';
  for (let i = 0; i < indexes.length; i++) {
    const value = parameters[indexes[i] ?? 0];
    out += (serverValues?.get(value) ?? literal(value, quote)) + texts[i + 1];
  }
  return out;
}

let escapeLiteral: ((text: string) => string) | undefined;

/** What makes escapeLiteral do more than add the quotes. */
const NEEDS_ESCAPE = /['\\]/;

/**
 * escapeLiteral's text, without its character loop for the usual value (a name, a checksum, the
 * runner's label: no quote, no backslash), which is then just quoted — what escapeLiteral writes too.
 */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? escapeLiteral!(text) : `'${text}'`;
}

function literal(value: unknown, escapeText: (text: string) => string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return escapeText(value.toISOString());
  return escapeText(String(value));
}

interface Placeholders {
  /** The text around the placeholders: one more than `indexes`. */
  texts: string[];
  /** Each placeholder's parameter (0-based), in order of appearance. */
  indexes: number[];
}

/** By SQL text: a run sends a handful of tracking queries, each many times. */
const cache = new Map<string, Placeholders>();

function placeholdersOf(sql: string): Placeholders {
  const hit = cache.get(sql);
  if (hit) return hit;
  const found: Placeholders = { texts: [], indexes: [] };
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '"' || c === "'") {
      // A quoted identifier or string: its closing quote (a doubled one is part of it).
      i = sql.indexOf(c, i + 1);
      while (i !== -1 && sql[i + 1] === c) i = sql.indexOf(c, i + 2);
      if (i === -1) break;
      i++;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let end = i + 1;
      while (/[0-9]/.test(sql[end] ?? '')) end++;
      found.texts.push(sql.slice(start, i));
      found.indexes.push(Number(sql.slice(i + 1, end)) - 1);
      start = end;
      i = end;
    } else i++;
  }
  found.texts.push(sql.slice(start));
  if (cache.size > 64) cache.clear();
  cache.set(sql, found);
  return found;
}
