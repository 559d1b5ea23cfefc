import { type Command, Option } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { positiveInt } from '../global-options.ts';
import { runMigration } from '../run-migration.ts';

export function registerUp(program: Command, run: CommandRunner): void {
  program
    .command('up')
    .description('apply pending migrations: all of them, or --step N')
    .addOption(new Option('--step <n>', 'how many to apply').argParser(positiveInt('--step')))
    .action((opts: { step?: number }, cmd: Command) =>
      run(cmd, (ctx) =>
        runMigration(ctx, { command: 'up', ...(opts.step !== undefined ? { steps: opts.step } : {}) }),
      ),
    );
}
