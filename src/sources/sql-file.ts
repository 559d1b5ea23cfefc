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
  /** Where the `-- migrate:up` (and `-- migrate:down`) lines start. */
  markers: number[];
}

/**
 * Any line that looks like a section marker of some tool's single-file format,
 * indented or not, well-formed or not: dbmate's (`-- migrate:down`,
 * `  -- migrate:down`, `-- migrate: up`), goose's (`-- +goose Up`), sql-migrate's
 * (`-- +migrate Down`). Only dbmate's, at the start of a line, are read as
 * markers; any other would leave a down section inside the up (UPchieve's
 * indented `    -- migrate:down`: its down ran right after its up).
 */
const ANY_SECTION_MARKER =
  /^[ \t]*--[ \t]*(\+[ \t]*(goose|migrate)[ \t]+(up|down)|migrate[ \t]*:[ \t]*(up|down))\b.*$/gim;

/** The first marker-like line (ANY_SECTION_MARKER) that is not one of the markers read (`used`: their offsets). */
export function findStrayMarker(
  text: string,
  used: readonly number[],
): { text: string; offset: number } | undefined {
  for (const match of text.matchAll(ANY_SECTION_MARKER)) {
    if (!used.includes(match.index)) return { text: match[0].trim(), offset: match.index };
  }
  return undefined;
}

/** Splits a dbmate file; returns undefined when it has no `-- migrate:up` line. */
export function splitDbmateFile(text: string): DbmateSections | undefined {
  const up = DBMATE_UP.exec(text);
  if (!up) return undefined;
  const afterUp = up.index + up[0].length;
  const down = DBMATE_DOWN.exec(text.slice(afterUp));
  const upSql = down ? text.slice(afterUp, afterUp + down.index) : text.slice(afterUp);
  const sections: DbmateSections = { up: upSql, markers: [up.index] };
  if (down) {
    sections.down = text.slice(afterUp + down.index + down[0].length);
    sections.markers.push(afterUp + down.index);
  }
  if (/transaction:\s*false/i.test(up[1] ?? '')) sections.transaction = false;
  return sections;
}
