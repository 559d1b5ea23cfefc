import path from 'node:path';
import { type Command, Option } from 'commander';
import type { MigrationSource } from '../../engine/types.ts';
import { formatFinding } from '../../lint/format-finding.ts';
import { DEFAULT_LINT_PG_VERSION, lintMigrations } from '../../lint/lint-migrations.ts';
import { repeatablesForLint } from '../../lint/lint-repeatables.ts';
import { FileMigrationProvider } from '../../sources/file-migration-provider.ts';
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
  const { sources, scope } = await chooseSources(ctx, opts);
  if (!sources.length) {
    if (ctx.reporter.json)
      ctx.reporter.emit({ scope, linted: [], findings: [], suppressed: [], errors: 0, warnings: 0 });
    else
      ctx.reporter.info(
        `Nothing to lint: no ${scope}${opts.all || opts.since !== undefined ? '' : ' (use --all to lint every migration)'}.`,
      );
    return EXIT.OK;
  }
  const report = await lintMigrations(sources, {
    migrationsPath: ctx.config.migrationsPath,
    displayPath: (file) => path.relative(ctx.io.cwd, path.join(ctx.config.migrationsPath, file)) || file,
    pgVersion: opts.pgVersion,
    env: ctx.io.env,
  });
  if (ctx.reporter.json) {
    ctx.reporter.emit({ scope, ...report });
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

/** Pending ones need the database's history; --all and --since only read the folder. */
async function chooseSources(
  ctx: CommandContext,
  opts: LintOptions,
): Promise<{ sources: MigrationSource[]; scope: string }> {
  if (opts.all || opts.since !== undefined) {
    const provider = new FileMigrationProvider({ migrationFolder: ctx.config.migrationsPath });
    const all = await provider.loadSources();
    // Repeatables run after the versioned ones: linted after them.
    const repeatables = repeatablesForLint(await provider.loadRepeatables());
    if (opts.all) return { sources: [...all, ...repeatables], scope: 'all migrations' };
    const since = opts.since!;
    return {
      sources: [...all.filter((s) => s.version > since), ...repeatables],
      scope: `migrations after ${since}`,
    };
  }
  return ctx.withMigrator(async ({ migrator, provider, database }) => {
    const status = await migrator.status();
    const pending = new Set(
      status.entries.filter((e) => e.state === 'pending' || e.state === 'out-of-order').map((e) => e.version),
    );
    const due = new Set(
      status.repeatables.filter((r) => r.state === 'pending' || r.state === 'outdated').map((r) => r.id),
    );
    const sources = [
      ...(await provider.loadSources()).filter((s) => pending.has(s.version)),
      ...repeatablesForLint(await provider.loadRepeatables()).filter((r) => due.has(r.id)),
    ];
    return { sources, scope: `pending migrations on ${database.label}` };
  });
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
