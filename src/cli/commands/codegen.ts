import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';

/** Placeholder: implemented by its own issue. */
export function registerCodegen(program: Command, run: CommandRunner): void {
  program
    .command('codegen')
    .description('(not yet available)')
    .action((_opts, cmd: Command) =>
      run(cmd, async (ctx) => {
        ctx.reporter.error('codegen is not available yet');
        return 2;
      }),
    );
}
