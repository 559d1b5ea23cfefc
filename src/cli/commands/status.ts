import type { Command } from 'commander';
import type { CommandRunner } from '../command-runner.ts';
import { EXIT } from '../exit-codes.ts';

export function registerStatus(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('show each migration: applied, pending, dirty, changed, missing or out-of-order')
    .option(
      '--check',
      'exit 3 when migrations are pending, 4 when any needs attention (dirty/changed/missing)',
    )
    .option('--current', 'print only the current version, "V" or "V (dirty)" (golang-migrate\'s `version`)')
    .action((opts: { check?: boolean; current?: boolean }, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator(
          async (migrator) => {
            const report = await migrator.status();
            if (opts.current && !ctx.reporter.json)
              ctx.io.stdout(`${report.currentVersion}${report.dirty ? ' (dirty)' : ''}\n`);
            else ctx.reporter.status(report, (await migrator.database()).label);
            if (!opts.check) return EXIT.OK;
            if (report.entries.some((e) => ['dirty', 'changed', 'missing'].includes(e.state)))
              return EXIT.REFUSED;
            return report.pending > 0 ? EXIT.DIFFERENCE : EXIT.OK;
          },
          { readOnly: true },
        ),
      ),
    );
}
