/**
 * Splits an SQLite script into statements with the state machine of SQLite's own
 * sqlite3_complete() (src/complete.c), so a ';' only ends a statement where SQLite itself
 * would consider the statement complete. That is what keeps
 * `CREATE [TEMP|TEMPORARY] TRIGGER ... BEGIN ...; ...; END;` in one piece.
 *
 * What the lexer understands (as complete.c does):
 *   - '...' strings, "..." / `...` / [...] identifiers (a doubled quote is simply two
 *     adjacent quoted tokens, which splits the same way)
 *   - -- line comments (to \n) and /* ... *\/ block comments, which do not nest in SQLite;
 *     an unterminated block comment runs to the end of the script, as in SQLite's tokenizer
 *   - bare words (letters, digits, `_`, `$`, non-ASCII), of which only CREATE, TEMP, TEMPORARY,
 *     TRIGGER, END and EXPLAIN matter
 *
 * Output convention: comments and whitespace *before* a statement are dropped, so `offset` is
 * the first significant character and `sql` starts there; comments inside or at the end of a
 * statement (before its ';') are kept. Pieces with only whitespace/comments are dropped.
 */
import type { SplitStatement, StatementSplitter } from '../../engine/statement-splitter.ts';
import { CH, UTF8_BOM } from '../char-codes.ts';
import { memoizeSplitter } from '../memoize-splitter.ts';
import { isSpace, skipWhile, trimmedEnd } from '../script-lexer.ts';

/** complete.c's token classes; the values index the columns of TRANSITIONS. */
const Tk = { Semi: 0, Ws: 1, Other: 2, Explain: 3, Create: 4, Temp: 5, Trigger: 6, End: 7 } as const;
type Tk = (typeof Tk)[keyof typeof Tk];

/** complete.c's states; the values index the rows of TRANSITIONS. */
const St = { Invalid: 0, Start: 1, Normal: 2, Explain: 3, Create: 4, Trigger: 5, Semi: 6, End: 7 } as const;
type St = (typeof St)[keyof typeof St];

/** complete.c's trans[state][token], verbatim. */
const TRANSITIONS: readonly (readonly St[])[] = [
  /*                 SEMI      WS         OTHER      EXPLAIN     CREATE     TEMP       TRIGGER     END */
  /* 0 INVALID */ [St.Start, St.Invalid, St.Normal, St.Explain, St.Create, St.Normal, St.Normal, St.Normal],
  /* 1   START */ [St.Start, St.Start, St.Normal, St.Explain, St.Create, St.Normal, St.Normal, St.Normal],
  /* 2  NORMAL */ [St.Start, St.Normal, St.Normal, St.Normal, St.Normal, St.Normal, St.Normal, St.Normal],
  /* 3 EXPLAIN */ [St.Start, St.Explain, St.Explain, St.Normal, St.Create, St.Normal, St.Normal, St.Normal],
  /* 4  CREATE */ [St.Start, St.Create, St.Normal, St.Normal, St.Normal, St.Create, St.Trigger, St.Normal],
  /* 5 TRIGGER */ [
    St.Semi,
    St.Trigger,
    St.Trigger,
    St.Trigger,
    St.Trigger,
    St.Trigger,
    St.Trigger,
    St.Trigger,
  ],
  /* 6    SEMI */ [St.Semi, St.Semi, St.Trigger, St.Trigger, St.Trigger, St.Trigger, St.Trigger, St.End],
  /* 7     END */ [St.Start, St.End, St.Trigger, St.Trigger, St.Trigger, St.Trigger, St.Trigger, St.Trigger],
];

const KEYWORDS: ReadonlyMap<string, Tk> = new Map([
  ['create', Tk.Create],
  ['temp', Tk.Temp],
  ['temporary', Tk.Temp],
  ['trigger', Tk.Trigger],
  ['end', Tk.End],
  ['explain', Tk.Explain],
]);

interface Token {
  readonly type: Tk;
  readonly start: number;
  readonly end: number;
}

const lexSqliteStatements: StatementSplitter = (script) => {
  const statements: SplitStatement[] = [];
  let state: St = St.Invalid;
  let start = -1;
  let pos = script.charCodeAt(0) === UTF8_BOM ? 1 : 0;

  while (pos < script.length) {
    const token = scanToken(script, pos);
    pos = token.end;
    state = TRANSITIONS[state]![token.type]!;
    if (token.type === Tk.Semi && state === St.Start) {
      pushStatement(statements, script, start, token.start);
      start = -1;
    } else if (token.type !== Tk.Ws && start < 0) {
      start = token.start;
    }
  }
  pushStatement(statements, script, start, script.length);
  return statements;
};

/** Memoized: a script is lexed once however often a run asks (memoize-splitter.ts). */
export const splitSqliteStatements: StatementSplitter = memoizeSplitter(lexSqliteStatements);

function pushStatement(statements: SplitStatement[], script: string, start: number, end: number): void {
  if (start < 0) return;
  statements.push({ sql: script.slice(start, trimmedEnd(script, start, end)), offset: start });
}

function scanToken(script: string, pos: number): Token {
  const code = script.charCodeAt(pos);
  const next = script.charCodeAt(pos + 1);

  if (code === CH.semicolon) return token(pos, Tk.Semi, pos + 1);
  if (isSpace(code)) return token(pos, Tk.Ws, skipWhile(script, pos, isSpace));
  // Comments are whitespace to the state machine; inside a statement they stay in its text.
  if (code === CH.slash && next === CH.star) return token(pos, Tk.Ws, blockCommentEnd(script, pos));
  if (code === CH.minus && next === CH.minus) {
    return token(
      pos,
      Tk.Ws,
      skipWhile(script, pos, (c) => c !== CH.newline),
    );
  }
  if (code === CH.openBracket) return token(pos, Tk.Other, closingCharEnd(script, pos + 1, CH.closeBracket));
  if (code === CH.quote || code === CH.doubleQuote || code === CH.backtick) {
    return token(pos, Tk.Other, closingCharEnd(script, pos + 1, code));
  }
  if (isIdChar(code)) {
    const end = skipWhile(script, pos + 1, isIdChar);
    return token(pos, KEYWORDS.get(script.slice(pos, end).toLowerCase()) ?? Tk.Other, end);
  }
  return token(pos, Tk.Other, pos + 1);
}

/** Index after the first `close` at or after `pos`; unterminated tokens run to the end of the script. */
function closingCharEnd(script: string, pos: number, close: number): number {
  const index = script.indexOf(String.fromCharCode(close), pos);
  return index < 0 ? script.length : index + 1;
}

/** SQLite block comments end at the first `*\/`: there is no nesting. */
function blockCommentEnd(script: string, pos: number): number {
  const index = script.indexOf('*/', pos + 2);
  return index < 0 ? script.length : index + 2;
}

/** SQLite's IdChar(): letters, digits, `_`, `$` and any non-ASCII character. */
function isIdChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}

/** A token record (a plain function, not a closure per token: the lexer's hot path). */
function token(start: number, type: Tk, end: number): Token {
  return { type, start, end };
}
