/**
 * A session or process that holds a lock we waited for: what a user needs to
 * find it (and end it, if they decide to). PostgreSQL: from pg_stat_activity;
 * SQLite: what the holder wrote next to its lock file.
 */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName?: string | null;
  /** PostgreSQL: active, idle, idle in transaction, … */
  readonly state?: string | null;
  /** Since when it is in that state (PostgreSQL) or holds the lock (SQLite). */
  readonly since?: Date | null;
  /** The machine it runs on (SQLite), or its client address (PostgreSQL). */
  readonly host?: string | null;
  /** What it runs (PostgreSQL: its current or last statement; SQLite: its command line). */
  readonly query?: string | null;
}

/** `pid 4242 (application_name 'psql', idle in transaction since 2026-11-30 16:40:01Z, 35 s ago)`, joined by '; '. */
export function describeHolders(holders: readonly LockHolder[], now = new Date()): string {
  return holders.map((h) => describeHolder(h, now)).join('; ');
}

function describeHolder(h: LockHolder, now: Date): string {
  const parts: string[] = [];
  if (h.applicationName) parts.push(`application_name '${h.applicationName}'`);
  if (h.host) parts.push(`on ${h.host}`);
  const since = h.since
    ? ` since ${h.since
        .toISOString()
        .replace('T', ' ')
        .replace(
          /\.\d+Z$/,
          'Z',
        )}, ${Math.max(0, Math.round((now.getTime() - h.since.getTime()) / 1000))} s ago`
    : '';
  if (h.state) parts.push(`${h.state}${since}`);
  else if (since) parts.push(since.trim());
  if (h.query) parts.push(`running \`${truncate(h.query.replace(/\s+/g, ' ').trim(), 60)}\``);
  return `pid ${h.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
