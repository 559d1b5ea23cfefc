/** A campaign's size: the default, or an environment override (e.g. KMIGRATE_CRASH_TRIALS=20 for a quick look). */
export function campaignSize(env: string, fallback: number): number {
  const raw = process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${env} must be a whole number above 0, got ${raw}`);
  return n;
}
