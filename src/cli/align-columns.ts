import { stripVTControlCharacters } from 'node:util';

/**
 * Rows as aligned columns without borders: what grep, awk and humans all read.
 * Each column is as wide as its widest cell, plus `gap` spaces; line ends are
 * trimmed. Width is the text without its colour codes: every cell of our tables
 * is ASCII (versions, names under the naming rule, states, timestamps, numbers).
 * A table library did this before at ~0.5 ms a row, and a Unicode-width library
 * loads ICU's segmenter at start (~35 ms): both most of `status`'s own time.
 */
export function alignColumns(rows: readonly (readonly string[])[], gap = 2): string {
  const widths: number[] = [];
  const measured = rows.map((row) =>
    row.map((cell, column) => {
      const width = stripVTControlCharacters(cell).length;
      widths[column] = Math.max(widths[column] ?? 0, width);
      return width;
    }),
  );
  return rows
    .map((row, r) =>
      row
        .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - (measured[r]?.[column] ?? 0) + gap))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
