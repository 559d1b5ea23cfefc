/**
 * Directives in SQL files. The first line of a file may say
 *   -- migrate:no-transaction
 * to run it outside a transaction (needed for CREATE INDEX CONCURRENTLY).
 * dbmate's single-file format is read as is:
 *   -- migrate:up [transaction:false]
 *   ...
 *   -- migrate:down
 *   ...
 * and so is goose's (pressly/goose): `-- +goose Up` … `-- +goose Down` …, with
 * `-- +goose NO TRANSACTION` anywhere, and `-- +goose StatementBegin/End`
 * (comments here: the database parses the file; the lexer splits what runs
 * outside a transaction).
 */
export interface SqlDirectives {
  /** Explicit transaction choice, if the file states one. */
  transaction?: boolean;
}

export const NO_TRANSACTION_MARKER = '-- migrate:no-transaction';

const NO_TX = /^\s*--\s*migrate:\s*no-?transaction\b/i;
const DBMATE_UP = /^--\s*migrate:up\b(.*)$/im;
const DBMATE_DOWN = /^--\s*migrate:down\b(.*)$/im;
const GOOSE_UP = /^--\s*\+goose\s+up\b.*$/im;
const GOOSE_DOWN = /^--\s*\+goose\s+down\b.*$/im;
const GOOSE_NO_TRANSACTION = /^--\s*\+goose\s+no\s+transaction\b/im;
const GOOSE_ENVSUB_ON = /^--\s*\+goose\s+envsub\s+on\b.*$/im;

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
  const sections = splitAt(text, DBMATE_UP, DBMATE_DOWN);
  if (sections && /transaction:\s*false/i.test(sections.upLine)) sections.transaction = false;
  return sections && withoutLine(sections);
}

/** Splits a goose file; returns undefined when it has no `-- +goose Up` line. */
export function splitGooseFile(text: string): DbmateSections | undefined {
  const sections = splitAt(text, GOOSE_UP, GOOSE_DOWN);
  if (sections && GOOSE_NO_TRANSACTION.test(text)) sections.transaction = false;
  return sections && withoutLine(sections);
}

/** goose's `-- +goose ENVSUB ON` line (it substitutes environment variables into the SQL), if any. */
export function findGooseEnvsub(text: string): { text: string; offset: number } | undefined {
  const match = GOOSE_ENVSUB_ON.exec(text);
  return match ? { text: match[0].trim(), offset: match.index } : undefined;
}

function withoutLine({ upLine: _, ...sections }: DbmateSections & { upLine: string }): DbmateSections {
  return sections;
}

/** The up (after `upMarker`) and down (after `downMarker`, when one follows) sections, and the markers' offsets. */
function splitAt(
  text: string,
  upMarker: RegExp,
  downMarker: RegExp,
): (DbmateSections & { upLine: string }) | undefined {
  const up = upMarker.exec(text);
  if (!up) return undefined;
  const afterUp = up.index + up[0].length;
  const down = downMarker.exec(text.slice(afterUp));
  const upSql = down ? text.slice(afterUp, afterUp + down.index) : text.slice(afterUp);
  const sections: DbmateSections & { upLine: string } = { up: upSql, markers: [up.index], upLine: up[0] };
  if (down) {
    sections.down = text.slice(afterUp + down.index + down[0].length);
    sections.markers.push(afterUp + down.index);
  }
  return sections;
}
