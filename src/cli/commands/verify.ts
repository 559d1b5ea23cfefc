import { type Command, Option } from 'commander';
import { describeFinding, type VerifyOutcome } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import { EXIT } from '../exit-codes.ts';
import { printPlatformHints } from '../platform-hints.ts';
import type { Colors } from '../reporter.ts';
import { schemaOption } from './drift.ts';

export function registerVerify(program: Command, run: CommandRunner): void {
  program
    .command('verify')
    .description(
      'check on a scratch database that every migration has a down that reverses it (exit 3 naming every one that does not); never touches the configured database',
    )
    .addOption(
      new Option(
        '--dialect <dialect>',
        "scratch database dialect (default: the configured URL's); postgres without a PostgreSQL URL starts an embedded PostgreSQL 17",
      ).choices(['sqlite', 'postgres']),
    )
    .addOption(schemaOption())
    .action((opts: { dialect?: 'sqlite' | 'postgres'; schema?: string[] }, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator(async (migrator) => {
          // Bad names and duplicate versions throw MigrationFileError (exit 2) before any database is made.
          await printPlatformHints(ctx, migrator);
          const report = await migrator.verify({
            ...(opts.dialect ? { dialect: opts.dialect } : {}),
            ...(opts.schema ? { schemas: opts.schema } : {}),
            onStart: ({ scratch, total }) => {
              ctx.reporter.info(
                `Verifying ${total} migration${total === 1 ? '' : 's'} on ${scratch} (up, down, up):`,
              );
            },
            onEvent: (e) =>
              ctx.reporter.info(`  ${mark(e.outcome, ctx.reporter.colors)} ${e.version}_${e.name}`),
          });
          const { dialect, checked, total, findings, ok } = report;
          if (ctx.reporter.json) {
            ctx.reporter.emit(total ? report : { dialect, checked, total, ok, findings });
          } else if (!total) {
            ctx.reporter.info(`No migrations in ${ctx.config.migrationsPath}: nothing to verify.`);
          } else if (ok) {
            ctx.reporter.info(`All ${total} migrations reverse.`);
          } else {
            for (const f of findings) for (const line of describeFinding(f)) ctx.reporter.info(line);
            const skipped = total - checked;
            ctx.reporter.info(
              `verify found ${findings.length} problem${findings.length === 1 ? '' : 's'}${skipped ? `; ${skipped} later migration${skipped === 1 ? ' was' : 's were'} not checked` : ''}.`,
            );
          }
          return ok ? EXIT.OK : EXIT.DIFFERENCE;
        }),
      ),
    );
}

function mark(outcome: VerifyOutcome, c: Colors): string {
  if (outcome === 'reversible') return `${c.green('✓')} reverses   `;
  if (outcome === 'no down') return `${c.yellow('!')} has no down`;
  if (outcome === 'not for this dialect') return `${c.dim('-')} not for this dialect (recorded, not run)`;
  return `${c.red('✗')} FAILS      `;
}
