/**
 * The public errors. Each carries the data a user (or a script) needs, a
 * one-line message that says what to do next, and the CLI exit code:
 * 1 database/migration failed, 2 bad usage/config/files, 4 refused by state,
 * 130/143 stopped by SIGINT/SIGTERM (../interrupted-error.ts).
 */
export abstract class MigrateError extends Error {
  abstract readonly exitCode: 1 | 2 | 3 | 4 | 130 | 143;
}

/** `3_add_users`: how messages name a migration. */
export function label(m: { version: number; name: string }): string {
  return `${m.version}_${m.name}`;
}

/** Messages are one line: whitespace (a statement's newlines) collapsed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
