import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { runMigration } from '../run-migration.ts';

export function registerLatest(program: Command, run: CommandRunner): void {
  program
    .command('latest', { isDefault: true })
    .description('apply every pending migration (the default command)')
    .action((_opts, cmd: Command) => run(cmd, (ctx) => runMigration(ctx, { command: 'latest' })));
}
