import { adviceCommand } from '../advice.ts';
import { label, MigrateError, oneLine } from './migrate-error.ts';

/** A non-transactional migration crashed or failed earlier: a human must look before anything else runs. */
export class DirtyDatabaseError extends MigrateError {
  override readonly name = 'DirtyDatabaseError';
  readonly exitCode = 4;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly state: string,
    readonly lastError: string | null,
  ) {
    super(
      `database is dirty at migration ${version}_${migrationName} (${state === 'reverting' ? 'a down' : 'an up'} did not finish${lastError ? `: ${oneLine(lastError)}` : ''}); inspect the schema, finish or undo the change by hand, then run \`${adviceCommand(`force ${version}`)}\` (finished) or \`${adviceCommand(`force ${version} --not-applied`)}\` (undone)`,
    );
  }
}

export interface ChangedMigration {
  version: number;
  name: string;
  expected: string;
  actual: string | null;
}

/** Applied migrations whose files changed or disappeared. */
export class ChecksumMismatchError extends MigrateError {
  override readonly name = 'ChecksumMismatchError';
  readonly exitCode = 4;
  constructor(
    readonly changed: ChangedMigration[],
    readonly missing: ChangedMigration[],
  ) {
    const parts: string[] = [];
    if (changed.length) parts.push(`changed since applied: ${changed.map(label).join(', ')}`);
    if (missing.length) parts.push(`applied but file missing: ${missing.map(label).join(', ')}`);
    super(
      `${parts.join('; ')}; restore the original files, or review them and run \`${adviceCommand('repair')}\`${missing.length ? ' (with --forget-missing for deleted files)' : ''}`,
    );
  }
}

/** Pending migrations older than the newest applied one (typically a merged branch). */
export class OutOfOrderError extends MigrateError {
  override readonly name = 'OutOfOrderError';
  readonly exitCode = 4;
  constructor(
    readonly versions: { version: number; name: string }[],
    readonly newestApplied: number,
  ) {
    super(
      `pending ${versions.map(label).join(', ')} ${versions.length === 1 ? 'is' : 'are'} older than the newest applied migration ${newestApplied}; renumber ${versions.length === 1 ? 'it' : 'them'} above ${newestApplied}, or run with --allow-out-of-order if ${versions.length === 1 ? 'it is' : 'they are'} independent`,
    );
  }
}

/**
 * The tracking rows changed between the read a command planned from and the
 * moment it held the lock (another process migrated meanwhile). Commands that
 * cannot safely re-plan (down, to, redo, force, repair, baseline) stop here.
 */
export class HistoryChangedError extends MigrateError {
  override readonly name = 'HistoryChangedError';
  readonly exitCode = 4;
  constructor(
    readonly command: string,
    /** What changed, e.g. `3_add_email applied`. */
    readonly changes: string[],
    /** Steps of this command that had already run (they stay done). */
    readonly completed: number,
  ) {
    super(
      `the migration history changed while \`${command}\` waited for the lock (${changes.join(', ') || 'rows rewritten'}), so its plan no longer holds; ${completed ? `${completed} step${completed === 1 ? '' : 's'} had run before, the rest did not run` : 'nothing was changed'}; check \`migrate status\` and run it again if it still applies`,
    );
  }
}

/**
 * Another process applied the same version from a different file (two
 * releases disagreeing on a version: a bad merge, an old and a new deploy).
 */
export class ConflictingMigrationError extends MigrateError {
  override readonly name = 'ConflictingMigrationError';
  readonly exitCode = 4;
  constructor(
    readonly version: number,
    readonly ours: { name: string; checksum: string; file: string },
    readonly theirs: { name: string; checksum: string; appliedBy: string },
  ) {
    super(
      `migration ${version} was applied by another process (${theirs.appliedBy}) as ${version}_${theirs.name} (checksum ${theirs.checksum.slice(0, 12)}), but this run has ${ours.file} (${version}_${ours.name}, checksum ${ours.checksum.slice(0, 12)}); two releases disagree on version ${version}: deploy one release, renumber the other's migration, and run again`,
    );
  }
}

/** `force` would record something the database does not have. */
export class ForceRefusedError extends MigrateError {
  override readonly name = 'ForceRefusedError';
  readonly exitCode = 4;
  constructor(
    readonly version: number,
    readonly reason: 'in-progress' | 'applied' | 'not-dirty',
    message: string,
  ) {
    super(message);
  }
}

/** The tracking table exists but is not in our format (hand-edited, or another tool's). */
export class TrackingTableError extends MigrateError {
  override readonly name = 'TrackingTableError';
  readonly exitCode = 4;
  constructor(
    readonly table: string,
    readonly problem: string,
  ) {
    super(
      `tracking table ${table} ${problem}; if it belongs to golang-migrate or Supabase, use \`${adviceCommand('baseline --from golang-migrate|supabase')}\` with another --table, otherwise restore its columns`,
    );
  }
}

/** A down was asked while the database has migrations newer than this folder (a newer release applied them). */
export class AheadOfFolderError extends MigrateError {
  override readonly name = 'AheadOfFolderError';
  readonly exitCode = 4;
  constructor(readonly ahead: { version: number; name: string }[]) {
    super(
      `the database has migration${ahead.length > 1 ? 's' : ''} ${ahead.map(label).join(', ')} newer than this folder (applied by a newer release); roll back from the release that has ${ahead.length > 1 ? 'their files' : 'its file'} — nothing was changed`,
    );
  }
}
