import path from 'node:path';
import { type Command, Option } from 'commander';
import { DEFAULT_LINT_PG_VERSION, formatFinding } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { nonNegativeInt } from '../global-options.ts';

interface LintOptions {
  all?: boolean;
  since?: number;
  pgVersion: string;
}

export function registerLint(program: Command, run: CommandRunner): void {
  program
    .command('lint')
    .description(
      'PostgreSQL safety lint (squawk + kmigrate rules) of the SQL pending migrations run; exit 3 on errors',
    )
    .option('--all', 'lint every migration, not only the pending ones (no database needed)')
    .addOption(
      new Option('--since <version>', 'lint migrations newer than <version> (no database needed)')
        .argParser(nonNegativeInt('--since'))
        .conflicts('all'),
    )
    .option('--pg-version <version>', 'PostgreSQL version squawk assumes', DEFAULT_LINT_PG_VERSION)
    .action((opts: LintOptions, cmd: Command) => run(cmd, (ctx) => lintCommand(ctx, opts)));
}

async function lintCommand(ctx: CommandContext, opts: LintOptions): Promise<number> {
  const report = await ctx.withMigrator((migrator) =>
    migrator.lint({
      // Pending ones need the database's history; --all and --since only read the folder.
      scope: opts.all ? 'all' : opts.since !== undefined ? { since: opts.since } : 'pending',
      pgVersion: opts.pgVersion,
      displayPath: (file) => path.relative(ctx.io.cwd, path.join(ctx.config.migrationsPath, file)) || file,
    }),
  );
  const { scope } = report;
  if (!report.linted.length) {
    if (ctx.reporter.json)
      ctx.reporter.emit({ scope, linted: [], findings: [], suppressed: [], errors: 0, warnings: 0 });
    else
      ctx.reporter.info(
        `Nothing to lint: no ${scope}${opts.all || opts.since !== undefined ? '' : ' (use --all to lint every migration)'}.`,
      );
    return EXIT.OK;
  }
  if (ctx.reporter.json) {
    ctx.reporter.emit(report);
  } else {
    for (const finding of report.findings) ctx.reporter.info(formatFinding(finding));
    if (ctx.reporter.verbose) {
      for (const s of report.suppressed)
        ctx.reporter.info(`${s.file}:${s.line} ${s.rule}: suppressed: ${s.reason}`);
    }
    const n = report.linted.length;
    ctx.reporter.info(
      `Linted ${n} migration${n === 1 ? '' : 's'} (${scope}): ${count(report.errors, 'error')}, ${count(report.warnings, 'warning')}${report.suppressed.length ? `, ${report.suppressed.length} suppressed` : ''}.`,
    );
  }
  return report.errors > 0 ? EXIT.DIFFERENCE : EXIT.OK;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
