import { adviceCommand } from './advice.ts';
import { MigrateError } from './errors.ts';
import { describeHolders, type LockHolder } from './lock-holder.ts';

/**
 * A migration's own statement could not get a lock it needs (on a table
 * another session uses) in any of its attempts: each attempt waited at most
 * lock_timeout and was rolled back, so the application's queries queued
 * behind it were blocked only that long at a time. Nothing of the migration
 * is applied; the migration itself is fine — the other session is the cause.
 */
export class LockContentionError extends MigrateError {
  override readonly name = 'LockContentionError';
  readonly exitCode = 4;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly file: string,
    readonly direction: 'up' | 'down',
    readonly attempts: number,
    readonly waitedMs: number,
    readonly lockTimeoutMs: number,
    /** The sessions seen blocking it during its last attempts (PostgreSQL, direct connections). */
    readonly blockers: readonly LockHolder[],
    options: { cause?: unknown } = {},
  ) {
    const by = blockers.length
      ? `blocked by ${describeHolders(blockers)}; let it finish or end it (\`SELECT pg_terminate_backend(${blockers[0]!.pid});\`)`
      : 'another session holds a lock it needs (see pg_locks / pg_stat_activity); let it finish';
    super(
      `${file}: migration ${version} ${direction} could not get a lock it needs: ${attempts} attempt${attempts === 1 ? '' : 's'} of lock_timeout ${lockTimeoutMs} ms over ${Math.round(waitedMs / 100) / 10} s, each rolled back, so nothing of it is applied; ${by}, then run \`${adviceCommand(direction === 'up' ? 'latest' : 'status')}\` again (to wait longer: lockRetries, --lock-timeout)`,
      options,
    );
  }
}
