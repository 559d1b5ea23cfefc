/**
 * Recognises a transaction-mode pooler from the URL alone, so the decision is
 * made before connecting: Supabase's Supavisor transaction port (6543, on
 * *.pooler.supabase.com or any host), or an explicit `pgbouncer=true` /
 * `pooler=transaction` parameter (Prisma's convention, for self-hosted PgBouncer).
 * Returns the reason, or undefined for a direct/session connection.
 */
export function detectTransactionPooler(url: string): string | undefined {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  if (params.get('pgbouncer') === 'true' || params.get('pooler') === 'transaction') {
    return `the URL says it goes through a transaction-mode pooler (${params.get('pgbouncer') === 'true' ? 'pgbouncer=true' : 'pooler=transaction'})`;
  }
  if (params.get('pooler') === 'session' || params.get('pooler') === 'none') return undefined;
  if (parsed.port === '6543') {
    return parsed.hostname.endsWith('.pooler.supabase.com')
      ? "port 6543 on *.pooler.supabase.com is Supabase's transaction pooler"
      : 'port 6543 is the conventional transaction-pooler port (Supabase); add pooler=session to the URL if this is not a pooler';
  }
  return undefined;
}

/** Removes the parameters that are ours, not the driver's. */
export function stripPoolerParams(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('pgbouncer');
  parsed.searchParams.delete('pooler');
  return parsed.toString();
}
