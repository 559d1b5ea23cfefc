/**
 * The drivers disagree on what a column returns; the API must not. The
 * generated types describe PostgreSQL; these accept the SQLite spelling too:
 *
 *   column type     PostgreSQL (pg)          SQLite (better-sqlite3)     API
 *   timestamptz     Date                     ISO text                    ISO string, ms, Z
 *   boolean         boolean                  0 / 1                       boolean
 *   jsonb           parsed value, keys       text                        object, keys sorted
 *                   reordered by jsonb
 *   numeric(18,8)   string '1.50000000'      text '1.50000000'           string, 8 places (money.ts)
 *   bigint, count   string                   number                      see toCount / toIdString
 */
import type { JsonObject, JsonValue } from '../../generated/db.ts';

export function toIsoString(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a timestamp: ${String(value)}`);
  return date.toISOString();
}

export function toBoolean(value: boolean | number): boolean {
  return typeof value === 'boolean' ? value : value !== 0;
}

/** SQLite returns JSON columns as text. Keys are sorted: jsonb reorders them, SQLite keeps the input order. */
export function toJsonObject(value: JsonValue | undefined): JsonObject {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('expected a JSON object');
  }
  return sortKeys(parsed) as JsonObject;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** COUNT and SUM of integers: bigint (a string) on PostgreSQL, a number on SQLite; null for SUM of nothing. */
export function toCount(value: string | number | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`count out of range: ${String(value)}`);
  return n;
}

/** bigint ids are strings in JSON on both dialects: pg returns int8 as text to keep it exact. */
export function toIdString(value: string | number | bigint): string {
  return String(value);
}
