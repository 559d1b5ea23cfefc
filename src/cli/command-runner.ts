import type { Command } from 'commander';
import type { CommandContext } from './context.ts';
import type { ExitCode } from './exit-codes.ts';

/** Runs a command body with its context; the body may return an exit code (default 0). */
export type CommandRunner = (cmd: Command, body: (ctx: CommandContext) => Promise<unknown>) => Promise<void>;

/** Set by a command body that wants a non-zero exit without an error (e.g. status --check). */
export function isExitCode(value: unknown): value is ExitCode {
  return typeof value === 'number' && [0, 1, 2, 3, 4, 130, 143].includes(value);
}
