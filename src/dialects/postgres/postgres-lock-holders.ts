import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import type { LockHolder } from '../../engine/lock-holder.ts';

interface ActivityRow {
  pid: number;
  application_name: string | null;
  state: string | null;
  since: Date | null;
  host: string | null;
  query: string | null;
}

const ACTIVITY = sql`a.pid, a.application_name, a.state, a.state_change as since, host(a.client_addr) as host, a.query`;

function toHolder(r: ActivityRow): LockHolder {
  return {
    pid: r.pid,
    applicationName: r.application_name,
    state: r.state,
    since: r.since,
    host: r.host,
    query: r.query,
  };
}

/** The other sessions holding the advisory lock `key` (a migrator's run lock), from pg_locks and pg_stat_activity. */
export async function advisoryLockHolders(db: AnyKysely, key: string): Promise<LockHolder[]> {
  // A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
  const big = BigInt(key);
  const high = Number((big >> 32n) & 0xffffffffn);
  const low = Number(big & 0xffffffffn);
  const { rows } = await sql<ActivityRow>`select ${ACTIVITY}
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 1
      and l.classid::bigint = ${high} and l.objid::bigint = ${low}
      and l.database = (select oid from pg_database where datname = current_database())
      and l.pid <> pg_backend_pid()
    order by a.pid`.execute(db);
  return rows.map(toHolder);
}

/** The sessions that block backend `pid` right now (pg_blocking_pids): whoever holds the lock it waits for. */
export async function blockingSessions(db: AnyKysely, pid: number): Promise<LockHolder[]> {
  const { rows } = await sql<ActivityRow>`select ${ACTIVITY}
    from pg_stat_activity a where a.pid = any(pg_blocking_pids(${pid}))
    order by a.pid`.execute(db);
  return rows.map(toHolder);
}
