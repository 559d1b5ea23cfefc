import type { MigrationState, TrackingRow } from '../engine/types.ts';

/** The tracking table's columns, in the order every adapter selects them. */
export const TRACKING_COLUMNS = 'version, name, checksum, state, applied_at, execution_ms, applied_by, error';

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

/** Quotes an identifier that config validation already restricted to [A-Za-z0-9_]. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
