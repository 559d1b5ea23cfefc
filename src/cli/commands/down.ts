import { type Command, Option } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { positiveInt } from '../global-options.ts';
import { rollbackQuestion, runMigration } from '../run-migration.ts';

export function registerDown(program: Command, run: CommandRunner): void {
  program
    .command('down')
    .description('roll back the newest migration, or --step N of them (asks first on PostgreSQL)')
    .addOption(new Option('--step <n>', 'how many to roll back').argParser(positiveInt('--step')).default(1))
    .action((opts: { step: number }, cmd: Command) =>
      run(cmd, (ctx) =>
        runMigration(ctx, { command: 'down', steps: opts.step }, (status, label) =>
          rollbackQuestion(status, label, { count: opts.step }),
        ),
      ),
    );
}
