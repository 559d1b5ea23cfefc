import { adviceCommand } from './advice.ts';

/**
 * The public errors. Each carries the data a user (or a script) needs, a
 * one-line message that says what to do next, and the CLI exit code:
 * 1 database/migration failed, 2 bad usage/config/files, 4 refused by state.
 */
export abstract class MigrateError extends Error {
  abstract readonly exitCode: 1 | 2 | 3 | 4;
}

/** A migration file is unusable: bad name, duplicate version, no `up`, … Nothing was touched. */
export class MigrationFileError extends MigrateError {
  override readonly name = 'MigrationFileError';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(`${file}: ${problem}${hint ? `; ${hint}` : ''}`);
  }
}

/**
 * The migrations folder does not match its integrity sum (kmigrate.sum): a
 * file was added, edited or removed without `kmigrate sum`, or a merge kept
 * both sides. Raised before any database is touched.
 */
export class IntegritySumError extends MigrateError {
  override readonly name = 'IntegritySumError';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `${file}: ${problem}; review the migrations folder, then run \`${adviceCommand('sum')}\` to accept it (or set integritySum: false in the config) — nothing was changed`,
    );
  }
}

/** A seed failed; it was rolled back and the seeds after it did not run. Exit 1. */
export class SeedFailedError extends MigrateError {
  override readonly name = 'SeedFailedError';
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    readonly databaseMessage: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${file}${line ? `:${line}` : ''}: seed failed: ${oneLine(databaseMessage)}; it was rolled back and the seeds after it did not run; fix it and run \`${adviceCommand('seed')}\` again (seeds must be idempotent)`,
      options,
    );
  }
}

/**
 * A development-only command (seed, reset) was pointed at a database that is
 * not SQLite or a local PostgreSQL, or run with NODE_ENV=production. Nothing
 * was touched. Exit 2 for seed (a flag is missing), 4 for reset.
 */
export class DevelopmentOnlyError extends MigrateError {
  override readonly name = 'DevelopmentOnlyError';
  constructor(
    readonly command: string,
    readonly target: string,
    readonly reason: string,
    readonly override: string,
    readonly exitCode: 2 | 4,
  ) {
    super(
      `${command} refused on ${target}: ${reason}; it is for development databases — pass ${override} if you really mean this one`,
    );
  }
}

/** Seeding needs a migrated database: pending migrations or a dirty state come first. Exit 4. */
export class NotMigratedError extends MigrateError {
  override readonly name = 'NotMigratedError';
  readonly exitCode = 4;
  constructor(
    readonly command: string,
    readonly problem: string,
  ) {
    super(
      `${command} refused: ${problem}; run \`${adviceCommand('latest')}\` first (or \`${adviceCommand('reset --yes')}\` in development)`,
    );
  }
}

/** A `down` was asked for a migration that has none. Raised before anything runs. */
export class MissingDownError extends MigrateError {
  override readonly name = 'MissingDownError';
  readonly exitCode = 2;
  constructor(
    readonly version: number,
    readonly file: string,
  ) {
    super(
      `${file}: migration ${version} has no down step, so it cannot be rolled back; add a down (export async function down / a .down.sql file) — nothing was changed`,
    );
  }
}

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

/** Another migrator held the lock for longer than the timeout. */
export class LockTimeoutError extends MigrateError {
  override readonly name = 'LockTimeoutError';
  readonly exitCode = 4;
  constructor(
    readonly waitedMs: number,
    readonly lockName: string,
  ) {
    super(
      `another migration run held the lock ${lockName} for more than ${waitedMs} ms; wait for it to finish, or raise --lock-timeout (see the runbook, "A stuck lock")`,
    );
  }
}

/** A migration's SQL failed. Transactional migrations were rolled back; others leave the database dirty. */
export class MigrationFailedError extends MigrateError {
  override readonly name = 'MigrationFailedError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly file: string,
    readonly direction: 'up' | 'down',
    readonly databaseMessage: string,
    readonly details: {
      line?: number;
      column?: number;
      statement?: string;
      code?: string;
      rolledBack: boolean;
      cause: unknown;
    },
  ) {
    const where = details.line
      ? `${file}:${details.line}${details.column ? `:${details.column}` : ''}`
      : file;
    const stmt = details.statement ? ` in \`${truncate(oneLine(details.statement), 120)}\`` : '';
    const after = details.rolledBack
      ? 'it was rolled back and nothing after it ran; fix the migration and run again'
      : `the database is now dirty at ${version}; inspect it, then run \`${adviceCommand(`force ${version}`)}\` or \`${adviceCommand(`force ${version} --not-applied`)}\``;
    super(
      `${where}: migration ${version} ${direction} failed${stmt}: ${oneLine(databaseMessage)}; ${after}`,
      {
        cause: details.cause,
      },
    );
  }
  get line(): number | undefined {
    return this.details.line;
  }
  get statement(): string | undefined {
    return this.details.statement;
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

/** The connection cannot hold a session lock (transaction pooler) but the plan needs one. */
export class PoolerRefusedError extends MigrateError {
  override readonly name = 'PoolerRefusedError';
  readonly exitCode = 2;
  constructor(
    readonly versions: number[],
    readonly reason: string,
  ) {
    super(
      `migration${versions.length > 1 ? 's' : ''} ${versions.join(', ')} must run outside a transaction, which is unsafe here: ${reason}; use the direct connection (port 5432) or the session pooler for this deploy`,
    );
  }
}

/** A version named on the command line does not exist. */
export class UnknownVersionError extends MigrateError {
  override readonly name = 'UnknownVersionError';
  readonly exitCode = 2;
  constructor(
    readonly version: string,
    readonly hint: string,
  ) {
    super(`version ${version} ${hint}`);
  }
}

/** Could not connect / the database refused us. */
export class ConnectionError extends MigrateError {
  override readonly name = 'ConnectionError';
  readonly exitCode = 1;
  constructor(
    readonly target: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`cannot connect to ${target}: ${reason}; ${hint}`);
  }
}

/** A command needs a confirmation it did not get (no TTY and no --yes). */
export class ConfirmationRequiredError extends MigrateError {
  override readonly name = 'ConfirmationRequiredError';
  readonly exitCode = 2;
  constructor(readonly action: string) {
    super(`${action} needs confirmation; run it in a terminal, or pass --yes`);
  }
}

/** The user answered "no" at the confirmation prompt. */
export class NotConfirmedError extends MigrateError {
  override readonly name = 'NotConfirmedError';
  readonly exitCode = 2;
  constructor(readonly action: string) {
    super(`${action}: answered no; nothing was changed`);
  }
}

function label(m: { version: number; name: string }): string {
  return `${m.version}_${m.name}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A TS migration that already runs in the engine's transaction opened another one. Nothing of it ran. */
export class NestedTransactionError extends MigrateError {
  override readonly name = 'NestedTransactionError';
  readonly exitCode = 1;
  constructor(readonly file: string) {
    super(
      `${file} called db.transaction() inside a migration that already runs in a transaction (the engine commits it together with its tracking row); remove the call, or export const transaction = false and manage transactions yourself`,
    );
  }
}

/**
 * Raised by an adapter when, at the end of a step, the transaction it opened is
 * gone: the step itself committed or rolled back (e.g. a raw COMMIT). What ran
 * before that point may be committed, so the engine records the step as dirty.
 */
export class TransactionEndedError extends MigrateError {
  override readonly name = 'TransactionEndedError';
  readonly exitCode = 1;
  constructor(options: { cause?: unknown } = {}) {
    super(
      `the migration ended the engine's transaction itself (a COMMIT, ROLLBACK or BEGIN inside it), so what ran before that point is committed${options.cause instanceof Error ? `; then: ${oneLine(options.cause.message)}` : ''}`,
      options,
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

/** A migration step ran longer than stepTimeoutMs (config) / --step-timeout. */
export class StepTimeoutError extends MigrateError {
  override readonly name = 'StepTimeoutError';
  readonly exitCode = 1;
  constructor(
    readonly version: number,
    readonly direction: 'up' | 'down',
    readonly timeoutMs: number,
  ) {
    super(
      `migration ${version} ${direction} did not finish within ${timeoutMs} ms (config stepTimeoutMs, --step-timeout)`,
    );
  }
}
