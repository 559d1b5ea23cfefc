import { type Command, Option } from 'commander';
import { checkGeneratedTypes } from '../../codegen/check-generated-types.ts';
import type { CodegenLog } from '../../codegen/codegen-log.ts';
import { compareDialectTypes, type ParityReport } from '../../codegen/dialect-parity.ts';
import {
  generateTypesFromLive,
  generateTypesFromMigrations,
  outFileLabel,
  writeGeneratedTypes,
} from '../../codegen/generate-types.ts';
import { parseGeneratedTypes } from '../../codegen/parse-generated-types.ts';
import { describeTypeChanges } from '../../codegen/type-changes.ts';
import { adviceCommand } from '../../engine/advice.ts';
import { FileMigrationProvider } from '../../sources/file-migration-provider.ts';
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
      run(cmd, (ctx) => {
        if (flags.parity) return parity(ctx);
        if (flags.check) return check(ctx, flags.fromLive ?? false, flags.full ?? false);
        return generate(ctx, flags.fromLive ?? false);
      }),
    );
}

function logTo(ctx: CommandContext): CodegenLog {
  return { log: (line) => ctx.reporter.info(line), warn: (line) => ctx.reporter.warn(line) };
}

async function generate(ctx: CommandContext, fromLive: boolean): Promise<ExitCode> {
  const outFile = outFileLabel(ctx.config);
  if (!fromLive) await hints(ctx);
  const generated = fromLive
    ? await generateTypesFromLive(ctx.config)
    : await generateTypesFromMigrations(ctx.config, { env: ctx.io.env, log: logTo(ctx) });
  const { changed, previous } = await writeGeneratedTypes(ctx.config, generated.content);
  const changes = describeTypeChanges(previous, generated.content);
  const tables = parseGeneratedTypes(generated.content).tables.size;
  if (ctx.reporter.json) {
    ctx.reporter.emit({
      outFile,
      changed,
      changes,
      tables,
      source: fromLive ? 'live' : 'migrations',
      fingerprint: generated.fingerprint ?? null,
      ms: generated.ms,
    });
    return EXIT.OK;
  }
  const what = `${tables} table${tables === 1 ? '' : 's'}, ${generated.ms} ms`;
  if (!changed) {
    ctx.reporter.info(`${outFile} is already up to date (${what}).`);
    return EXIT.OK;
  }
  const from = generated.databaseName ? ` from ${generated.databaseName}` : '';
  ctx.reporter.info(
    `Wrote ${outFile}${from} (${what})${changes.length ? ':' : previous ? '; only the header changed.' : '.'}`,
  );
  for (const line of changes) ctx.reporter.info(`  ${line}`);
  return EXIT.OK;
}

async function check(ctx: CommandContext, fromLive: boolean, full: boolean): Promise<ExitCode> {
  const result = await checkGeneratedTypes(ctx.config, { env: ctx.io.env, log: logTo(ctx), fromLive, full });
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

/** Supabase references with no platform configured: one hint line each (they fail, or build less, on a plain scratch). */
async function hints(ctx: CommandContext): Promise<void> {
  const provider = new FileMigrationProvider({ migrationFolder: ctx.config.migrationsPath });
  printPlatformHints(ctx, await provider.loadSources());
}

async function parity(ctx: CommandContext): Promise<ExitCode> {
  await hints(ctx);
  const report = await compareDialectTypes(ctx.config, { env: ctx.io.env, log: logTo(ctx) });
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
