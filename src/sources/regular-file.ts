import nodeFsSync from 'node:fs';
import nodePath from 'node:path';
import { MigrationFileError } from '../engine/errors.ts';

/** A file bigger than this is refused rather than read into memory. */
export const MAX_MIGRATION_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Before reading: a FIFO would block the read forever, a directory or a
 * dangling symlink would fail with a raw errno, and a file over 2 GiB with
 * ERR_FS_FILE_TOO_LARGE after trying to read it.
 */
export function assertRegularFile(folder: string, file: string): void {
  const absolute = nodePath.join(folder, file);
  const stat = nodeFsSync.statSync(absolute, { throwIfNoEntry: false });
  if (!stat) {
    const link = nodeFsSync.lstatSync(absolute, { throwIfNoEntry: false });
    throw new MigrationFileError(
      file,
      link?.isSymbolicLink()
        ? 'is a symbolic link to a file that does not exist'
        : 'disappeared while reading the folder',
      'fix or remove it',
    );
  }
  if (!stat.isFile()) {
    const kind = stat.isDirectory()
      ? 'a directory'
      : stat.isFIFO()
        ? 'a named pipe (FIFO)'
        : stat.isSocket()
          ? 'a socket'
          : 'not a regular file';
    throw new MigrationFileError(file, `is ${kind}, named like a migration`, 'rename or remove it');
  }
  if (stat.size > MAX_MIGRATION_FILE_BYTES) {
    throw new MigrationFileError(
      file,
      `is ${stat.size} bytes, over the ${MAX_MIGRATION_FILE_BYTES}-byte limit`,
      'split it into several migrations',
    );
  }
}
