import type { SplitStatement, StatementSplitter } from '../engine/statement-splitter.ts';

/**
 * A run asks for the statements of each script up to five times (transaction
 * control and non-transactional checks while loading, the BEGIN/COMMIT
 * wrapper, then execution); lexing is pure, so each distinct script is lexed
 * once. The cache is bounded: past `limit` entries it starts over, so a
 * long-lived process whose files change does not keep every old text.
 */
export function memoizeSplitter(split: StatementSplitter, limit = 20_000): StatementSplitter {
  const cache = new Map<string, readonly SplitStatement[]>();
  return (script) => {
    let statements = cache.get(script);
    if (!statements) {
      if (cache.size >= limit) cache.clear();
      // Frozen: every caller shares the one array.
      statements = Object.freeze(split(script));
      cache.set(script, statements);
    }
    return statements;
  };
}
