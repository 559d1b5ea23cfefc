/** Budget periods: UTC calendar days and months, or everything ever recorded. */
export const PERIODS = ['day', 'month', 'total'] as const;
export type Period = (typeof PERIODS)[number];

/** Start of the period that contains `now`; null for 'total' (no lower bound). */
export function periodStart(period: Period, now: Date): Date | null {
  switch (period) {
    case 'day':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    case 'month':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    case 'total':
      return null;
  }
}
