import { adviceCommand } from '../advice.ts';
import { MigrateError } from './migrate-error.ts';

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

/** How a migration written as `file` gets a down. */
function downHint(file: string): string {
  if (/\.(ts|mts|js|mjs)$/.test(file)) return 'export async function down';
  if (/\.up\.sql$/.test(file)) return `a ${file.replace(/\.up\.sql$/, '.down.sql')} file`;
  // A plain, dbmate or goose .sql file: a section of its own, or a pair of files.
  return 'a down section: `-- migrate:down` below `-- migrate:up`, or `-- +goose Down` in a goose file; or rename it to .up.sql next to a .down.sql';
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
      `${file}: migration ${version} has no down step, so it cannot be rolled back; add a down (${downHint(file)}) — nothing was changed`,
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
