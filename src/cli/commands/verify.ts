import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';

/** Placeholder: implemented by its own issue. */
export function registerVerify(program: Command, run: CommandRunner): void {
  program
    .command('verify')
    .description('(not yet available)')
    .action((_opts, cmd: Command) =>
      run(cmd, async (ctx) => {
        ctx.reporter.error('verify is not available yet');
        return 2;
      }),
    );
}
