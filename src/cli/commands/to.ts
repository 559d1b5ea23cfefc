import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { nonNegativeInt } from '../global-options.ts';
import { rollbackQuestion, runMigration } from '../run-migration.ts';

export function registerTo(program: Command, run: CommandRunner): void {
  program
    .command('to')
    .description('migrate up or down to exactly <version> (0 = roll everything back)')
    .argument('<version>', 'target version', nonNegativeInt('<version>'))
    .action((version: number, _opts, cmd: Command) =>
      run(cmd, (ctx) =>
        runMigration(
          ctx,
          { command: 'to', version },
          // `to 0` rolls everything back, a migration numbered 0 included.
          (status, label) => rollbackQuestion(status, label, { above: version === 0 ? -1 : version }),
        ),
      ),
    );
}
