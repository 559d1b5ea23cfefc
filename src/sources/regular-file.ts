import nodeFsSync from 'node:fs';
import nodePath from 'node:path';
import { MigrationFileError } from '../engine/errors.ts';

/** A file bigger than this is refused rather than read into memory. */
export const MAX_MIGRATION_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a migration file through one descriptor: open, fstat, read, close.
 * Refused before reading: a FIFO (opened non-blocking, so it cannot hang the
 * run), a directory, a socket, a dangling symlink (each would otherwise be a
 * raw errno or a blocked read), and a file over MAX_MIGRATION_FILE_BYTES (a
 * 2 GiB file would fail with ERR_FS_FILE_TOO_LARGE after trying). One
 * descriptor instead of a stat and then a read: a folder of 1,000 migrations
 * is read on every start, and the path lookups were a third of it.
 */
export function readRegularFile(folder: string, file: string): Buffer {
  const absolute = nodePath.join(folder, file);
  let fd: number;
  try {
    fd = nodeFsSync.openSync(absolute, nodeFsSync.constants.O_RDONLY | nodeFsSync.constants.O_NONBLOCK);
  } catch (error) {
    throw openProblem(absolute, file, error);
  }
  try {
    const stat = nodeFsSync.fstatSync(fd);
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
    return readAll(fd, stat.size);
  } finally {
    nodeFsSync.closeSync(fd);
  }
}

/** Why a migration file could not be opened, in the words the user needs. */
function openProblem(absolute: string, file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const link = nodeFsSync.lstatSync(absolute, { throwIfNoEntry: false });
    return new MigrationFileError(
      file,
      link?.isSymbolicLink()
        ? 'is a symbolic link to a file that does not exist'
        : 'disappeared while reading the folder',
      'fix or remove it',
    );
  }
  // A socket cannot be opened (ENXIO); anything else that is not a file says so itself.
  const stat = nodeFsSync.statSync(absolute, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) {
    const kind = stat.isSocket() ? 'a socket' : stat.isDirectory() ? 'a directory' : 'not a regular file';
    return new MigrationFileError(file, `is ${kind}, named like a migration`, 'rename or remove it');
  }
  return error;
}

/**
 * The file's bytes, read with the size fstat gave (readFileSync would fstat
 * again). A file that changed size meanwhile is read to its real end.
 */
function readAll(fd: number, size: number): Buffer {
  let buffer = Buffer.allocUnsafe(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > MAX_MIGRATION_FILE_BYTES) break;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const n = nodeFsSync.readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}
