/**
 * Database URLs the tool accepts, parsed into a small tagged union so the rest of
 * the code never string-matches a URL again.
 *
 *   postgres://user:pass@host:5432/db?sslmode=require
 *   postgresql://…
 *   sqlite:./data/dev.sqlite     sqlite:/abs/path.db     file:./x.db     sqlite::memory:
 */
import path from 'node:path';
import { ConfigError } from './config-error.ts';

export type DatabaseTarget =
  | { dialect: 'sqlite'; url: string; filename: string }
  | { dialect: 'postgres'; url: string };

export const DEFAULT_DATABASE_URL = 'sqlite:./data/dev.sqlite';

export const ACCEPTED_URL_FORMS = 'postgres://, postgresql://, sqlite:PATH, file:PATH or sqlite::memory:';

/** Parses a database URL; `cwd` resolves relative SQLite paths. Throws ConfigError on anything else. */
export function parseDatabaseUrl(url: string, key = 'url', cwd = process.cwd()): DatabaseTarget {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch {
      throw new ConfigError(key, `${redactUrl(trimmed)} is not a valid PostgreSQL URL`, ACCEPTED_URL_FORMS);
    }
    return { dialect: 'postgres', url: trimmed };
  }
  const sqlite = /^(?:sqlite|file):(.*)$/i.exec(trimmed);
  if (sqlite) {
    let rest = sqlite[1] ?? '';
    if (rest === ':memory:') return { dialect: 'sqlite', url: trimmed, filename: ':memory:' };
    // sqlite:///abs/path and file:///abs/path are the URL spellings of an absolute path.
    if (rest.startsWith('//')) rest = rest.replace(/^\/\/(localhost)?/, '');
    rest = rest.split('?')[0] ?? '';
    if (rest === '') {
      throw new ConfigError(key, `${trimmed} has no file path`, ACCEPTED_URL_FORMS);
    }
    return { dialect: 'sqlite', url: trimmed, filename: path.resolve(cwd, decodeURIComponent(rest)) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  throw new ConfigError(
    key,
    scheme ? `unknown URL scheme "${scheme}:"` : `"${redactUrl(trimmed)}" is not a database URL`,
    ACCEPTED_URL_FORMS,
  );
}

/**
 * Replaces the password of every URL (and `password=` pair) in a text with ***.
 * The user info runs to the *last* `@` before the host, as the WHATWG URL parser
 * that pg-connection-string uses reads it: `postgres://u:S3cr@txyz@host/db` has
 * the password `S3cr@txyz`, which the driver accepts unencoded.
 */
export function redactUrl(text: string): string {
  // Every line the CLI prints passes here (a thousand per run of a thousand): most hold neither.
  if (!text.includes('://') && !/password=/i.test(text)) return text;
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)@/gi, (whole, scheme: string, userInfo: string) => {
      const colon = userInfo.indexOf(':');
      return colon < 0 ? whole : `${scheme}${userInfo.slice(0, colon)}:***@`;
    })
    .replace(/(password=)([^&\s]*)/gi, '$1***');
}
