import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';

export function registerRepair(program: Command, run: CommandRunner): void {
  program
    .command('repair')
    .description('after reviewing edited migrations: accept their current checksums')
    .option('--forget-missing', 'also forget applied migrations whose file was deleted')
    .action((opts: { forgetMissing?: boolean }, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator(async (migrator) => {
          const result = await migrator.repair(opts.forgetMissing ? { forgetMissing: true } : {});
          if (ctx.reporter.json) return ctx.reporter.emit(result);
          if (!result.updated.length && !result.forgotten.length)
            return ctx.reporter.info('Nothing to repair.');
          if (result.updated.length)
            ctx.reporter.info(`Accepted new checksums for: ${result.updated.join(', ')}.`);
          if (result.forgotten.length)
            ctx.reporter.info(`Forgot deleted migrations: ${result.forgotten.join(', ')}.`);
        }),
      ),
    );
}
