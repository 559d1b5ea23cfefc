import { StepTimeoutError } from './errors.ts';
import type { Direction, MigrationResult, MigrationSource } from './types.ts';

/* What a step's run is reduced to: its bounded wait, its tracking fields and its result. */

/**
 * A step that never settles (a TS up() awaiting a promise that never resolves)
 * would hold its locks until the process is killed, or end the process with
 * exit 13 and no word once nothing else is pending: fail it after `limit` ms.
 */
export async function bounded<T>(
  work: Promise<T>,
  limit: number | undefined,
  source: MigrationSource,
  direction: Direction,
): Promise<T> {
  if (!limit) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(source.version, direction, limit)), limit);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function pick(source: MigrationSource): { version: number; name: string; checksum: string } {
  return { version: source.version, name: source.name, checksum: source.checksum };
}

export function result(
  source: MigrationSource,
  direction: Direction,
  ms: number,
  note?: string,
): MigrationResult {
  return {
    version: source.version,
    name: source.name,
    direction,
    status: direction === 'up' ? 'applied' : 'reverted',
    ms,
    ...(note ? { note } : {}),
  };
}

export function withHint(info: { message: string; hint?: string }): string {
  return info.hint ? `${info.message} (hint: ${info.hint})` : info.message;
}
