/**
 * Directives in SQL files. The first line of a file may say
 *   -- migrate:no-transaction
 * to run it outside a transaction (needed for CREATE INDEX CONCURRENTLY).
 * dbmate's single-file format is read as is:
 *   -- migrate:up [transaction:false]
 *   ...
 *   -- migrate:down
 *   ...
 */
export interface SqlDirectives {
  /** Explicit transaction choice, if the file states one. */
  transaction?: boolean;
}

export const NO_TRANSACTION_MARKER = '-- migrate:no-transaction';

const NO_TX = /^\s*--\s*migrate:\s*no-?transaction\b/i;
const DBMATE_UP = /^--\s*migrate:up\b(.*)$/im;
const DBMATE_DOWN = /^--\s*migrate:down\b(.*)$/im;

export function readDirectives(text: string): SqlDirectives {
  const firstLine = text.split('\n', 1)[0] ?? '';
  return NO_TX.test(firstLine) ? { transaction: false } : {};
}

/** True when the text has no SQL at all: empty or only whitespace. Comments count as content. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** True when the text holds nothing but comments and whitespace (a deliberate no-op). */
export function isCommentOnly(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim() === ''
  );
}

export interface DbmateSections {
  up: string;
  down?: string;
  transaction?: boolean;
}

/**
 * A line that marks an up or down section in some tool's single-file format —
 * dbmate's (`-- migrate:down`, `-- migrate: up` mistyped), goose's (`-- +goose Up`),
 * sql-migrate's (`-- +migrate Down`) — in a file without dbmate's `-- migrate:up`:
 * run as a plain file, its down statements would run with its up.
 */
const SECTION_MARKER = /^--\s*(\+\s*(goose|migrate)\s+(up|down)|migrate\s*:\s*(up|down))\b.*$/im;

/** The first line of `text` that marks an up or down section (SECTION_MARKER), or undefined. */
export function findSectionMarker(text: string): string | undefined {
  return SECTION_MARKER.exec(text)?.[0].trim();
}

/** Splits a dbmate file; returns undefined when it has no `-- migrate:up` line. */
export function splitDbmateFile(text: string): DbmateSections | undefined {
  const up = DBMATE_UP.exec(text);
  if (!up) return undefined;
  const afterUp = up.index + up[0].length;
  const down = DBMATE_DOWN.exec(text.slice(afterUp));
  const upSql = down ? text.slice(afterUp, afterUp + down.index) : text.slice(afterUp);
  const sections: DbmateSections = { up: upSql };
  if (down) sections.down = text.slice(afterUp + down.index + down[0].length);
  if (/transaction:\s*false/i.test(up[1] ?? '')) sections.transaction = false;
  return sections;
}
