/** A byte-order mark at the start of a script: skipped, never part of the first statement. */
export const UTF8_BOM = 0xfeff;

/** Character codes the statement lexers (PostgreSQL, SQLite) compare against. */
export const CH = {
  tab: 0x09,
  newline: 0x0a,
  formFeed: 0x0c,
  space: 0x20,
  doubleQuote: 0x22,
  dollar: 0x24,
  ampersand: 0x26,
  quote: 0x27,
  openParen: 0x28,
  closeParen: 0x29,
  star: 0x2a,
  minus: 0x2d,
  dot: 0x2e,
  slash: 0x2f,
  semicolon: 0x3b,
  openBracket: 0x5b,
  backslash: 0x5c,
  closeBracket: 0x5d,
  underscore: 0x5f,
  backtick: 0x60,
} as const;
