import { createHash } from 'node:crypto';
import { dialectSkipNote } from './dialect-skip.ts';
import type { RepeatableRow, RepeatableSource, RepeatableStatusEntry } from './repeatable-types.ts';

/** A repeatable the next run applies, and why. */
export interface RepeatableToApply {
  readonly source: RepeatableSource;
  readonly reason: 'pending' | 'outdated';
  /** The row's checksum the plan saw ('' when none): under the lock it must still be that, or another run applied it. */
  readonly plannedChecksum: string;
}

export interface RepeatablePlan {
  /** Every file, then every row whose file is gone, in name order. */
  readonly status: RepeatableStatusEntry[];
  /** Pending and outdated ones, in name order (the order they run in). */
  readonly toApply: RepeatableToApply[];
}

/**
 * Pure: the files and the rows of `<table>_repeatables` -> where each stands
 * and what a run applies. A row's checksum differing from its file's (an
 * edit, or the empty checksum a rollback writes) makes it outdated.
 */
export function planRepeatables(
  sources: readonly RepeatableSource[],
  rows: readonly RepeatableRow[],
  dialect: string,
): RepeatablePlan {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const status: RepeatableStatusEntry[] = [];
  const toApply: RepeatableToApply[] = [];
  for (const source of [...sources].sort((a, b) => compare(a.id, b.id))) {
    const row = byId.get(source.id);
    const state = !row ? 'pending' : row.checksum === source.checksum ? 'applied' : 'outdated';
    const note = dialectSkipNote(source, dialect);
    status.push({
      id: source.id,
      file: source.file,
      state,
      checksum: source.checksum,
      appliedAt: row?.appliedAt ?? null,
      executionMs: row?.executionMs ?? null,
      ...(note ? { note } : {}),
    });
    if (state !== 'applied') toApply.push({ source, reason: state, plannedChecksum: row?.checksum ?? '' });
  }
  for (const row of rows) {
    if (sources.some((s) => s.id === row.id)) continue;
    status.push({
      id: row.id,
      file: null,
      state: 'missing',
      checksum: row.checksum || null,
      appliedAt: row.appliedAt,
      executionMs: row.executionMs,
    });
  }
  status.sort((a, b) => compare(a.id, b.id));
  return { status, toApply };
}

/** A fingerprint of the rows a repeatables plan was made from (checked again under the run's lock). */
export function repeatablesDigest(rows: readonly Pick<RepeatableRow, 'id' | 'checksum'>[]): string {
  const text = [...rows]
    .sort((a, b) => compare(a.id, b.id))
    .map((r) => `${r.id}:${r.checksum}`)
    .join(',');
  return createHash('md5').update(text).digest('hex');
}

/** Code-unit order, never locale order: the same on every machine (like the integrity sum). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
