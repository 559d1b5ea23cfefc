import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { nonNegativeInt } from '../global-options.ts';
import { runMigration } from '../run-migration.ts';

export function registerTo(program: Command, run: CommandRunner): void {
  program
    .command('to')
    .description('migrate up or down to exactly <version> (0 = roll everything back)')
    .argument('<version>', 'target version', nonNegativeInt('<version>'))
    .action((version: number, _opts, cmd: Command) =>
      run(cmd, (ctx) =>
        runMigration(
          ctx,
          (m) => m.to(version),
          async (m) => {
            const status = await m.status();
            return version < status.currentVersion
              ? `Roll back from ${status.currentVersion} to ${version} on ${ctx.config.database.url}`
              : undefined;
          },
        ),
      ),
    );
}
