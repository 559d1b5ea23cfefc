import { type Command, Option } from 'commander';
import { adviceCommand, type CodegenLog, type KMigrator, type ParityReport } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { printPlatformHints } from '../platform-hints.ts';

interface CodegenFlags {
  check?: boolean;
  fromLive?: boolean;
  parity?: boolean;
  full?: boolean;
}

export function registerCodegen(program: Command, run: CommandRunner): void {
  program
    .command('codegen')
    .description(
      'generate the Kysely types (codegen.outFile) from the migrations, built on a scratch PostgreSQL',
    )
    .option('--check', 'change nothing; exit 3 and print a diff when the file is out of date')
    .option('--from-live', 'introspect the connected database (--url / DATABASE_URL) instead')
    .option(
      '--full',
      'with --check: always regenerate and compare, even when the fingerprint says nothing changed',
    )
    .addOption(
      new Option(
        '--parity',
        'build on scratch SQLite and PostgreSQL and list the columns whose types differ (exit 3 if any)',
      ).conflicts(['check', 'fromLive']),
    )
    .action((flags: CodegenFlags, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator((migrator) => {
          if (flags.parity) return parity(ctx, migrator);
          if (flags.check) return check(ctx, migrator, flags.fromLive ?? false, flags.full ?? false);
          return generate(ctx, migrator, flags.fromLive ?? false);
        }),
      ),
    );
}

function logTo(ctx: CommandContext): CodegenLog {
  return { log: (line) => ctx.reporter.info(line), warn: (line) => ctx.reporter.warn(line) };
}

async function generate(ctx: CommandContext, migrator: KMigrator, fromLive: boolean): Promise<ExitCode> {
  if (!fromLive) await printPlatformHints(ctx, migrator);
  const written = await migrator.codegen({ fromLive, log: logTo(ctx) });
  const { outFile, changed, changes, tables } = written;
  if (ctx.reporter.json) {
    ctx.reporter.emit({
      outFile,
      changed,
      changes,
      tables,
      source: written.source,
      fingerprint: written.fingerprint,
      ms: written.ms,
    });
    return EXIT.OK;
  }
  const what = `${tables} table${tables === 1 ? '' : 's'}, ${written.ms} ms`;
  if (!changed) {
    ctx.reporter.info(`${outFile} is already up to date (${what}).`);
    return EXIT.OK;
  }
  const from = written.liveDatabase ? ` from ${written.liveDatabase}` : '';
  ctx.reporter.info(
    `Wrote ${outFile}${from} (${what})${changes.length ? ':' : written.hadPrevious ? '; only the header changed.' : '.'}`,
  );
  for (const line of changes) ctx.reporter.info(`  ${line}`);
  return EXIT.OK;
}

async function check(
  ctx: CommandContext,
  migrator: KMigrator,
  fromLive: boolean,
  full: boolean,
): Promise<ExitCode> {
  const result = await migrator.codegen({ check: true, fromLive, full, log: logTo(ctx) });
  if (ctx.reporter.json) {
    ctx.reporter.emit({
      outFile: result.outFile,
      upToDate: result.upToDate,
      exists: result.exists,
      diff: result.diff,
      ms: result.ms,
      fast: result.fast,
    });
  } else if (result.upToDate) {
    ctx.reporter.info(
      result.fast
        ? `${result.outFile} is up to date: migrations unchanged and the file untouched since it was generated (${result.ms} ms; --full regenerates to compare).`
        : `${result.outFile} is up to date with the ${fromLive ? 'live database' : 'migrations'} (${result.ms} ms).`,
    );
  } else {
    ctx.io.stdout(result.diff);
    ctx.reporter.error(
      result.exists
        ? `${result.outFile} is out of date with the ${fromLive ? 'live database' : 'migrations'}; run \`${adviceCommand('codegen', { env: ctx.io.env, cwd: ctx.io.cwd })}\` and commit it`
        : `${result.outFile} does not exist; run \`${adviceCommand('codegen', { env: ctx.io.env, cwd: ctx.io.cwd })}\` and commit it`,
    );
  }
  return result.upToDate ? EXIT.OK : EXIT.DIFFERENCE;
}

async function parity(ctx: CommandContext, migrator: KMigrator): Promise<ExitCode> {
  await printPlatformHints(ctx, migrator);
  const report = await migrator.codegen({ parity: true, log: logTo(ctx) });
  if (ctx.reporter.json) ctx.reporter.emit(report);
  else printParity(ctx, report);
  return report.differences.length ? EXIT.DIFFERENCE : EXIT.OK;
}

function printParity(ctx: CommandContext, report: ParityReport): void {
  const { differences } = report;
  if (!differences.length) {
    ctx.reporter.info(
      `Dev/prod parity: every column has the same type on SQLite and PostgreSQL (${report.tables.postgres} tables, ${report.ms} ms).`,
    );
    return;
  }
  ctx.reporter.info(
    `Dev/prod parity: ${differences.length} difference${differences.length === 1 ? '' : 's'} between SQLite (development) and PostgreSQL (production), ${report.ms} ms:`,
  );
  for (const d of differences) {
    const name = d.column === null ? `${d.table} (table)` : `${d.table}.${d.column}`;
    ctx.reporter.info(
      `  ${name}: sqlite ${d.sqlite ?? '(missing)'} vs postgres ${d.postgres ?? '(missing)'}`,
    );
  }
  for (const [side, aliases] of Object.entries(report.aliases)) {
    for (const [alias, definition] of Object.entries(aliases)) {
      ctx.reporter.info(`  where (${side}) ${alias} = ${definition}`);
    }
  }
  ctx.reporter.info(
    'App code sees these values differently in development and production; normalise them where it reads them.',
  );
}
