import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { nonNegativeInt } from '../global-options.ts';

export function registerForce(program: Command, run: CommandRunner): void {
  program
    .command('force')
    .description(
      'after fixing a dirty state by hand: mark <version> applied, or --not-applied to remove its row',
    )
    .argument('<version>', 'the dirty (or any) version', nonNegativeInt('<version>'))
    .option('--not-applied', 'the change was undone by hand: forget the row instead')
    .option('--override', 'also rewrite a row that is applied cleanly (normally refused, exit 4)')
    .action((version: number, opts: { notApplied?: boolean; override?: boolean }, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator(async (migrator) => {
          await migrator.force(version, {
            ...(opts.notApplied ? { notApplied: true } : {}),
            ...(opts.override ? { override: true } : {}),
          });
          const text = opts.notApplied
            ? `Migration ${version} is now recorded as not applied.`
            : `Migration ${version} is now recorded as applied.`;
          if (ctx.reporter.json) ctx.reporter.emit({ version, applied: !opts.notApplied });
          else ctx.reporter.info(text);
        }),
      ),
    );
}
