import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { rollbackQuestion, runMigration } from '../run-migration.ts';

export function registerRedo(program: Command, run: CommandRunner): void {
  program
    .command('redo')
    .description('roll back the newest migration and apply it again')
    .action((_opts, cmd: Command) =>
      run(cmd, (ctx) =>
        runMigration(ctx, { command: 'redo' }, (status, label) =>
          rollbackQuestion(status, label, { count: 1 }, 'Roll back and re-apply'),
        ),
      ),
    );
}
