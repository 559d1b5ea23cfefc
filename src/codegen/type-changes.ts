import { parseGeneratedTypes } from './parse-generated-types.ts';

/**
 * What changed between two generated files, one line per table:
 *   + policies (4 columns)
 *   - legacy_users
 *   ~ users: + email: string; - nickname; age: number → number | null
 * Empty when the tables and columns are the same (the header may still differ).
 */
export function describeTypeChanges(before: string | undefined, after: string): string[] {
  const old = parseGeneratedTypes(before ?? '').tables;
  const next = parseGeneratedTypes(after).tables;
  const lines: string[] = [];
  for (const table of sortedUnion(old.keys(), next.keys())) {
    const a = old.get(table);
    const b = next.get(table);
    if (!a && b) {
      lines.push(`+ ${table} (${b.size} column${b.size === 1 ? '' : 's'})`);
      continue;
    }
    if (a && !b) {
      lines.push(`- ${table}`);
      continue;
    }
    if (!a || !b) continue;
    const parts: string[] = [];
    for (const column of sortedUnion(a.keys(), b.keys())) {
      const from = a.get(column);
      const to = b.get(column);
      if (from === to) continue;
      if (from === undefined) parts.push(`+ ${column}: ${to}`);
      else if (to === undefined) parts.push(`- ${column}`);
      else parts.push(`${column}: ${from} → ${to}`);
    }
    if (parts.length) lines.push(`~ ${table}: ${parts.join('; ')}`);
  }
  return lines;
}

/** Code-unit order: stable on every machine. */
export function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
