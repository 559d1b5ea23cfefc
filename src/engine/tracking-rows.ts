import { createHash } from 'node:crypto';
import { TrackingShapeError } from './tracking-shape.ts';
import type { MigrationState, TrackingRow } from './types.ts';

/* The rows of the tracking and history tables, as written and as read back. */

/** One row to insert into the tracking table. */
export interface NewTrackingRow {
  version: number;
  name: string;
  checksum: string;
  state: MigrationState;
  executionMs: number;
  error?: string | null;
}

export type HistoryAction =
  | 'up'
  | 'down'
  /** A step outside a transaction that failed (it may have left part of its work): `details` has the error. */
  | 'up-failed'
  | 'down-failed'
  | 'force'
  | 'force-not-applied'
  | 'repair'
  | 'repair-forget'
  | 'baseline'
  /** A repeatable migration applied (again); `name` is its id, `version` 0. */
  | 'repeatable';

/** One append-only history row. Fields a caller does not know stay null. */
export interface HistoryEntry {
  version: number;
  name: string;
  action: HistoryAction;
  checksum?: string | null;
  executionMs?: number | null;
  details?: string | null;
}

/** The part of a row the plan depends on: what the history digest covers. */
export type PlannedRow = Pick<TrackingRow, 'version' | 'name' | 'checksum' | 'state'>;

export const COLUMNS = [
  'version',
  'name',
  'checksum',
  'state',
  'applied_at',
  'execution_ms',
  'applied_by',
  'error',
] as const;

/** Raw row as drivers return it: bigint may be a string, dates may be text. */
export interface RawTrackingRow {
  version: number | string | bigint;
  name: string;
  checksum: string;
  state: string;
  applied_at: Date | string;
  execution_ms: number | string;
  applied_by: string;
  error: string | null;
}

/**
 * A fingerprint of the tracking rows a plan was made from. A step runs only
 * when, under the lock, the rows still have the fingerprint the plan expects
 * (its own earlier steps included): "plans under the lock" as one rule.
 * digestQuery computes the same value in SQL.
 */
export function historyDigest(rows: readonly PlannedRow[]): string {
  const text = [...rows]
    .sort((a, b) => a.version - b.version)
    .map((r) => `${r.version}:${r.state}:${r.checksum}:${r.name}`)
    .join(',');
  return createHash('md5').update(text).digest('hex');
}

export interface RawRepeatableRow {
  name: string;
  checksum: string;
  applied_at: Date | string;
  execution_ms: number | string;
  applied_by: string;
}

/** Two rows for one version: the primary key was dropped by hand; no plan can be made from that. */
export function assertOneRowPerVersion(rows: readonly TrackingRow[], label: string): void {
  const seen = new Set<number>();
  for (const row of rows) {
    if (seen.has(row.version)) {
      throw new TrackingShapeError(
        label,
        `has more than one row for version ${row.version} (its primary key was dropped by hand?)`,
        `delete the extra rows (keep the one that matches the database), then restore the key on version`,
      );
    }
    seen.add(row.version);
  }
}

export function toTrackingRow(raw: RawTrackingRow): TrackingRow {
  return {
    version: Number(raw.version),
    name: raw.name,
    checksum: raw.checksum,
    state: raw.state as MigrationState,
    appliedAt: raw.applied_at instanceof Date ? raw.applied_at : new Date(raw.applied_at),
    executionMs: Number(raw.execution_ms),
    appliedBy: raw.applied_by,
    error: raw.error,
  };
}
