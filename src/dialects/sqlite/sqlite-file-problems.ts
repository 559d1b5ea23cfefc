import fs from 'node:fs';
import path from 'node:path';
import { MigrateError } from '../../engine/errors.ts';

/**
 * What the file system did to a SQLite database (#10 item 16): the file or
 * its folder read-only, the disk full, another connection's lock on a
 * rollback-journal file, a database deleted while its -wal/-shm stayed.
 * Each becomes one line naming the file and the next step, never SQLite's
 * bare "unable to open database file" or "fix the migration".
 */
export class SqliteFileError extends MigrateError {
  override readonly name = 'SqliteFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly nextStep: string,
    readonly exitCode: 1 | 4,
    options?: ErrorOptions,
  ) {
    super(`SQLite database ${file}: ${problem}; ${nextStep}`, options);
  }
}

/**
 * Before opening: the database file is gone but its write-ahead log is not.
 * SQLite would create an empty database and throw the log away (or fail with
 * "disk I/O error" when the -shm disagrees); the log may hold the newest commits.
 */
export function assertNoOrphanWal(file: string): void {
  if (fs.existsSync(file)) return;
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  const leftovers = [wal, shm].filter((f) => fs.existsSync(f));
  if (!leftovers.length) return;
  throw new SqliteFileError(
    file,
    `the file is missing but ${leftovers.map((f) => path.basename(f)).join(' and ')} ${leftovers.length > 1 ? 'are' : 'is'} still there (the database was deleted or moved without its write-ahead log, which can hold its newest commits); nothing was created`,
    `put the database file back, or, to start an empty database, delete ${leftovers.join(' and ')}`,
    4,
  );
}

/** An error from opening (or switching to WAL): what it means for this file, if it is one we know. */
export function sqliteOpenProblem(
  file: string,
  error: unknown,
  lockTimeoutMs: number,
): SqliteFileError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new SqliteFileError(
      file,
      `another connection held a lock on it for more than ${lockTimeoutMs} ms (a rollback-journal database must be switched to WAL, which needs it alone)`,
      'let that process finish its transaction or stop it, then run again, or raise --lock-timeout',
      4,
    );
  }
  return environmentProblem(file, code, error);
}

/**
 * The file-system failures SQLite reports by code, during a run too: the
 * migration is not at fault, so the next step is about the file.
 */
export function environmentProblem(
  file: string,
  code: unknown,
  error?: unknown,
): SqliteFileError | undefined {
  const dir = path.dirname(file);
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_FULL')) {
    return new SqliteFileError(
      file,
      'the database or the disk holding it is full',
      `free space on the disk of ${dir} (or raise the size limit), then run again`,
      1,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new SqliteFileError(
      file,
      'it is read-only (the file, or the folder SQLite writes its -wal and -shm files into)',
      `make ${file} and ${dir} writable for this user, or pass another --url`,
      1,
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    /unable to open database file/.test(String((error as Error)?.message))
  ) {
    if (!fs.existsSync(dir))
      return new SqliteFileError(
        file,
        `the folder ${dir} does not exist`,
        'create it, or pass another --url',
        1,
      );
    return new SqliteFileError(
      file,
      writable(dir)
        ? 'it cannot be opened'
        : `the folder ${dir} is read-only, and SQLite must create files next to the database (-wal, -shm, the lock file)`,
      `make ${dir} writable for this user, or pass another --url`,
      1,
    );
  }
  return undefined;
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
