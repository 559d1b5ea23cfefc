/** Summaries of repeated measurements: every figure in the report is one of these. */
export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** ours / peer for min, median and max (each statistic divided by the same statistic). */
export function ratio(ours: Summary, peer: Summary): { min: number; median: number; max: number } {
  return { min: ours.min / peer.min, median: ours.median / peer.median, max: ours.max / peer.max };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds since `started` (performance.now()). */
export function since(started: number): number {
  return performance.now() - started;
}
