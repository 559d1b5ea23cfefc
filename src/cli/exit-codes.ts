import { MigrateError } from '../index.ts';

/** The documented exit codes. Scripts may rely on them. */
export const EXIT = {
  /** Everything went as asked. */
  OK: 0,
  /** A database operation or a migration failed. */
  FAILED: 1,
  /** Bad usage, configuration or migration files; nothing was changed. */
  USAGE: 2,
  /** A check found a difference (drift, verify, lint, codegen --check, status --check with pending). */
  DIFFERENCE: 3,
  /** Refused because of database state: dirty, changed or missing applied migration, lock timeout. */
  REFUSED: 4,
  /** Stopped by SIGINT (Ctrl-C): the step in flight was cancelled and rolled back, or left dirty saying so. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (docker stop, a deploy replacing the process): as for SIGINT. */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof MigrateError) return error.exitCode;
  return EXIT.FAILED;
}
