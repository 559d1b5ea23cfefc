/**
 * Splits a PostgreSQL script into statements the way psql does (src/fe_utils/psqlscan.l),
 * so a migration file behaves the same whether it is run by this tool or by `psql -f`.
 *
 * What the lexer understands:
 *   - '...' strings ('' escape; backslashes are literal, i.e. standard_conforming_strings = on),
 *     E'...' strings (backslash escapes), U&'...', B'...', X'...', N'...';
 *     a string continues after a closing quote if only whitespace with a newline separates it
 *     from the next quote, and keeps its escape mode (`quotecontinue` in the server's scan.l and
 *     in psqlscan.l; psql itself misses it because it lexes one line at a time, which only
 *     matters for an E'' string continued by a segment containing \')
 *   - "..." and U&"..." identifiers ("" escape)
 *   - $$...$$ and $tag$...$tag$ dollar quotes; `$1` parameters and `a$b$` identifiers are not
 *   - -- line comments and /* ... *\/ block comments, which nest
 *   - parentheses: like psql, a ';' inside (...) never ends a statement (CREATE RULE ... DO (a; b))
 *   - SQL-standard bodies: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN and (within a
 *     BEGIN) CASE open a block that END closes; a ';' only ends the statement outside all blocks
 *
 * Output convention: comments and whitespace *before* a statement are dropped, so `offset` is
 * the first significant character and `sql` starts there; comments inside or at the end of a
 * statement (before its ';') are kept. Pieces with only whitespace/comments are dropped.
 * An unterminated /* comment counts as content (the server rejects it instead of us silently
 * swallowing the rest of the file). psql backslash meta-commands are not recognised: they stay
 * part of the statement text.
 */
import type { SplitStatement, StatementSplitter } from '../../engine/statement-splitter.ts';
import { CH, UTF8_BOM } from '../char-codes.ts';
import { memoizeSplitter } from '../memoize-splitter.ts';
import { isSpace, skipWhile, trimmedEnd } from '../script-lexer.ts';

type TokenKind = 'space' | 'comment' | 'semicolon' | 'open-paren' | 'close-paren' | 'word' | 'other';

interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
}

/** psql's lexer state that survives between tokens of one statement. */
interface StatementState {
  start: number;
  parenDepth: number;
  beginDepth: number;
  identifierCount: number;
  /** The first four bare words, lower-cased, if they are one of ROUTINE_HEADER_WORDS; else ''. */
  identifiers: string[];
}

const ROUTINE_HEADER_WORDS = new Set(['create', 'or', 'replace', 'function', 'procedure']);
const TRACKED_IDENTIFIERS = 4;

const lexPostgresStatements: StatementSplitter = (script) => {
  const statements: SplitStatement[] = [];
  let state = newStatementState();
  let pos = script.charCodeAt(0) === UTF8_BOM ? 1 : 0;

  while (pos < script.length) {
    const token = scanToken(script, pos);
    pos = token.end;
    if (token.kind === 'space' || token.kind === 'comment') continue;
    if (token.kind === 'semicolon' && state.parenDepth === 0 && state.beginDepth === 0) {
      pushStatement(statements, script, state.start, token.start);
      state = newStatementState();
      continue;
    }
    if (state.start < 0) state.start = token.start;
    trackNesting(state, token, script);
  }
  pushStatement(statements, script, state.start, script.length);
  return statements;
};

/** Memoized: a script is lexed once however often a run asks (memoize-splitter.ts). */
export const splitPostgresStatements: StatementSplitter = memoizeSplitter(lexPostgresStatements);

function newStatementState(): StatementState {
  return { start: -1, parenDepth: 0, beginDepth: 0, identifierCount: 0, identifiers: [] };
}

function pushStatement(statements: SplitStatement[], script: string, start: number, end: number): void {
  if (start < 0) return;
  statements.push({ sql: script.slice(start, trimmedEnd(script, start, end)), offset: start });
}

/** Updates paren and BEGIN/CASE/END depth exactly like psqlscan.l's "(", ")" and {identifier} rules. */
function trackNesting(state: StatementState, token: Token, script: string): void {
  if (token.kind === 'open-paren') {
    state.parenDepth++;
  } else if (token.kind === 'close-paren') {
    if (state.parenDepth > 0) state.parenDepth--;
  } else if (token.kind === 'word') {
    trackWord(state, script.slice(token.start, token.end).toLowerCase());
  }
}

function trackWord(state: StatementState, word: string): void {
  if (state.identifierCount < TRACKED_IDENTIFIERS) {
    state.identifiers[state.identifierCount] = ROUTINE_HEADER_WORDS.has(word) ? word : '';
  }
  state.identifierCount++;
  // Only a routine definition can hold a BEGIN ATOMIC body; elsewhere BEGIN is a transaction
  // and CASE ... END an expression, neither of which may swallow a ';'.
  if (!isRoutineDefinition(state.identifiers) || state.parenDepth > 0) return;
  if (word === 'begin') {
    state.beginDepth++;
  } else if (word === 'case') {
    // CASE also ends with END, which only matters once we are inside a BEGIN block.
    if (state.beginDepth >= 1) state.beginDepth++;
  } else if (word === 'end') {
    if (state.beginDepth > 0) state.beginDepth--;
  }
}

/** CREATE FUNCTION, CREATE PROCEDURE, CREATE OR REPLACE FUNCTION, CREATE OR REPLACE PROCEDURE. */
function isRoutineDefinition(words: readonly string[]): boolean {
  const [first, second, third, fourth] = words;
  if (first !== 'create') return false;
  if (second === 'function' || second === 'procedure') return true;
  return second === 'or' && third === 'replace' && (fourth === 'function' || fourth === 'procedure');
}

function scanToken(script: string, pos: number): Token {
  const code = script.charCodeAt(pos);
  const next = script.charCodeAt(pos + 1);

  if (isSpace(code)) return token(pos, 'space', skipWhile(script, pos, isSpace));
  if (code === CH.minus && next === CH.minus) return token(pos, 'comment', lineCommentEnd(script, pos));
  if (code === CH.slash && next === CH.star) {
    const end = blockCommentEnd(script, pos);
    // Unterminated: the server reports it, so it must reach the server as content.
    return token(pos, end < 0 ? 'other' : 'comment', end < 0 ? script.length : end);
  }
  if (code === CH.semicolon) return token(pos, 'semicolon', pos + 1);
  if (code === CH.openParen) return token(pos, 'open-paren', pos + 1);
  if (code === CH.closeParen) return token(pos, 'close-paren', pos + 1);
  if (code === CH.quote) return token(pos, 'other', quotedStringEnd(script, pos + 1, false));
  if (code === CH.doubleQuote) return token(pos, 'other', quotedIdentifierEnd(script, pos + 1));
  if (code === CH.dollar) return token(pos, 'other', dollarEnd(script, pos));
  if (isDigit(code)) return token(pos, 'other', numberEnd(script, pos));
  if (isIdentStart(code)) {
    const prefixed = prefixedLiteralEnd(script, pos);
    if (prefixed >= 0) return token(pos, 'other', prefixed);
    return token(pos, 'word', skipWhile(script, pos + 1, isIdentCont));
  }
  return token(pos, 'other', pos + 1);
}

/**
 * E'...', U&'...', U&"...", B'...', X'...' and N'...'. Returns -1 when `pos` starts an ordinary
 * word. Only reached at the start of a word, so `type'x'` stays the word `type` plus a string.
 */
function prefixedLiteralEnd(script: string, pos: number): number {
  const letter = script[pos]?.toLowerCase();
  const next = script.charCodeAt(pos + 1);
  if (next === CH.quote) {
    if (letter === 'e') return quotedStringEnd(script, pos + 2, true);
    if (letter === 'b' || letter === 'x' || letter === 'n') return quotedStringEnd(script, pos + 2, false);
  }
  if (letter === 'u' && next === CH.ampersand) {
    const quote = script.charCodeAt(pos + 2);
    if (quote === CH.quote) return quotedStringEnd(script, pos + 3, false);
    if (quote === CH.doubleQuote) return quotedIdentifierEnd(script, pos + 3);
  }
  return -1;
}

/**
 * End of a string whose opening quote ends just before `pos`. `backslashEscapes` is for E'...'
 * strings, where \' does not close the string. Unterminated strings run to the end of the script.
 */
function quotedStringEnd(script: string, pos: number, backslashEscapes: boolean): number {
  let i = pos;
  while (i < script.length) {
    const code = script.charCodeAt(i);
    if (backslashEscapes && code === CH.backslash) {
      i += 2;
    } else if (code !== CH.quote) {
      i++;
    } else if (script.charCodeAt(i + 1) === CH.quote) {
      i += 2;
    } else {
      // 'foo'<newline>'bar' is one string; an E string stays an E string across the break.
      const continued = quoteContinuation(script, i + 1);
      if (continued < 0) return i + 1;
      i = continued;
    }
  }
  return script.length;
}

/**
 * psql's {quotecontinue}: horizontal whitespace or -- comments, a newline, then any whitespace
 * or newline-terminated comments, then a quote. Returns the index after that quote, or -1.
 */
function quoteContinuation(script: string, pos: number): number {
  let i = pos;
  for (;;) {
    const code = script.charCodeAt(i);
    if (code === CH.space || code === CH.tab || code === CH.formFeed) i++;
    else if (startsLineComment(script, i)) i = lineCommentEnd(script, i);
    else break;
  }
  if (!isNewline(script.charCodeAt(i))) return -1;
  i++;
  for (;;) {
    if (isSpace(script.charCodeAt(i))) {
      i++;
    } else if (startsLineComment(script, i)) {
      const end = lineCommentEnd(script, i);
      if (!isNewline(script.charCodeAt(end))) return -1;
      i = end + 1;
    } else {
      break;
    }
  }
  return script.charCodeAt(i) === CH.quote ? i + 1 : -1;
}

/** "..." with "" as the escaped quote; unterminated identifiers run to the end of the script. */
function quotedIdentifierEnd(script: string, pos: number): number {
  let i = pos;
  while (i < script.length) {
    if (script.charCodeAt(i) !== CH.doubleQuote) {
      i++;
    } else if (script.charCodeAt(i + 1) === CH.doubleQuote) {
      i += 2;
    } else {
      return i + 1;
    }
  }
  return script.length;
}

/** A `$` outside a word: a $1 parameter, a dollar-quoted string, or just a `$` character. */
function dollarEnd(script: string, pos: number): number {
  if (isDigit(script.charCodeAt(pos + 1))) {
    // $1, and (PostgreSQL 16+) the single junk token $1abc.
    return skipWhile(script, skipWhile(script, pos + 1, isDigit), isIdentCont);
  }
  const delimiter = dollarDelimiterAt(script, pos);
  if (delimiter === undefined) return pos + 1;
  const close = script.indexOf(delimiter, pos + delimiter.length);
  return close < 0 ? script.length : close + delimiter.length;
}

/** `$$` or `$tag$` at `pos`, where tag is identifier characters not starting with a digit and without `$`. */
function dollarDelimiterAt(script: string, pos: number): string | undefined {
  let i = pos + 1;
  if (isDollarTagStart(script.charCodeAt(i))) {
    i = skipWhile(script, i + 1, isDollarTagCont);
  }
  return script.charCodeAt(i) === CH.dollar ? script.slice(pos, i + 1) : undefined;
}

/**
 * Numeric literals, plus trailing identifier characters that PostgreSQL 16+ lexes as one
 * junk token (`1abc`). A `$` right after digits is not consumed, as in psql: `1$$` is 1 then $$.
 */
function numberEnd(script: string, pos: number): number {
  const end = skipWhile(script, pos, (code) => isDigit(code) || code === CH.dot || code === CH.underscore);
  return isIdentStart(script.charCodeAt(end)) ? skipWhile(script, end, isIdentCont) : end;
}

/** Index of the newline ending a -- comment (or the script length). psql ends it at \r or \n. */
function lineCommentEnd(script: string, pos: number): number {
  return skipWhile(script, pos, (code) => !isNewline(code));
}

/** End of a nested /* ... *\/ comment starting at `pos`, or -1 if it never closes. */
function blockCommentEnd(script: string, pos: number): number {
  let depth = 0;
  let i = pos;
  while (i < script.length) {
    const code = script.charCodeAt(i);
    const next = script.charCodeAt(i + 1);
    if (code === CH.slash && next === CH.star) {
      depth++;
      i += 2;
    } else if (code === CH.star && next === CH.slash) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

function startsLineComment(script: string, pos: number): boolean {
  return script.charCodeAt(pos) === CH.minus && script.charCodeAt(pos + 1) === CH.minus;
}

function isNewline(code: number): boolean {
  return code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** psql's ident_start [A-Za-z\200-\377_]: every non-ASCII character counts as a letter. */
function isIdentStart(code: number): boolean {
  return isAsciiLetter(code) || code === CH.underscore || code >= 0x80;
}

/** psql's ident_cont: ident_start, digits and `$` (so `a$b$` is one identifier, not a dollar quote). */
function isIdentCont(code: number): boolean {
  return isIdentStart(code) || isDigit(code) || code === CH.dollar;
}

function isDollarTagStart(code: number): boolean {
  return isIdentStart(code);
}

function isDollarTagCont(code: number): boolean {
  return isIdentStart(code) || isDigit(code);
}

/** A token record (a plain function, not a closure per token: the lexer's hot path). */
function token(start: number, kind: TokenKind, end: number): Token {
  return { kind, start, end };
}
