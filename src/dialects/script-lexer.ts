/**
 * Character-level helpers both statement splitters use (postgres/ and sqlite/):
 * the two lexers differ in what they recognise, not in how they walk the text.
 */

/** Index of the first character at or after `pos` that fails `predicate` (or the script length). */
export function skipWhile(script: string, pos: number, predicate: (code: number) => boolean): number {
  let i = pos;
  while (i < script.length && predicate(script.charCodeAt(i))) i++;
  return i;
}

/** End of [start, end) without trailing whitespace; comments are content here. */
export function trimmedEnd(script: string, start: number, end: number): number {
  let i = end;
  while (i > start && isSpace(script.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * [ \t\n\v\f\r]: psql's {space}, and SQLite's tokenizer (complete.c's whitespace plus \v, which
 * sqlite3Isspace accepts, so `CREATE\vTRIGGER` is still a trigger).
 */
export function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}
