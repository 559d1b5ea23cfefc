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
      `${tool} ${problem}; run \`npm ci\` (the binary comes from the optional package @squawk-cli/<platform>; only linux-x64 is in the registry this project uses), or point KMIGRATE_SQUAWK at a squawk 2.x binary`,
    );
  }
}
