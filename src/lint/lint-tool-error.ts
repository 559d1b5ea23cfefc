import { MigrateError } from '../engine/errors.ts';

/** squawk (the PostgreSQL linter lint relies on) could not be run or answered nonsense. */
export class LintToolError extends MigrateError {
  override readonly name = 'LintToolError';
  readonly exitCode = 2;
  constructor(
    readonly tool: string,
    readonly problem: string,
  ) {
    super(
      `${tool} ${problem}; install the binary for this platform (\`npm install -D @squawk-cli/${process.platform}-${process.arch}\`), or point KMIGRATE_SQUAWK at a squawk 2.x binary`,
    );
  }
}
