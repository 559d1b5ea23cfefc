/**
 * Names what this run did for the bin (bin/kmigrate.cjs): its V8 code cache
 * holds the functions of the runs it was written after, and is written again
 * after a run that did something it has not seen — a command on a dialect, or
 * (`waited`) finding migrations applied by another process while it waited for
 * the lock: the path every replica but one takes when a fleet starts at once.
 * Only the bin reads the names; run in-process, this only fills a set.
 */
export function noteCodeCacheLabel(command: string, dialect: string): void {
  const key = Symbol.for('kmigrate.code-cache-labels');
  const global = globalThis as { [key]?: Set<string> };
  const labels = global[key] ?? new Set<string>();
  global[key] = labels;
  // Commas separate the labels in the cache's header; command names and dialects have none.
  labels.add(`${command}:${dialect}`);
}
