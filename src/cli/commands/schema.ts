import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { createTwoFilesPatch } from 'diff';
import { buildSchemaFile, readSchemaFile, type SchemaFileDialect, schemaFileBody } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';

interface DumpFlags {
  check?: boolean;
  dialect?: SchemaFileDialect;
}

export function registerSchema(program: Command, run: CommandRunner): void {
  const schema = program.command('schema').description('the schema file for review (generated/schema.sql)');
  schema
    .command('dump')
    .description(
      'write schemaFile.outFile (generated/schema.sql): the schema the migrations build on a scratch database, sorted and dialect-labelled',
    )
    .option('--check', 'change nothing; exit 3 and print a diff when the file is out of date')
    .addOption(
      new Option(
        '--dialect <dialect>',
        'scratch database dialect (default: schemaFile.dialect, postgres)',
      ).choices(['postgres', 'sqlite']),
    )
    .action((flags: DumpFlags, cmd: Command) => run(cmd, (ctx) => dump(ctx, flags)));
}

async function dump(ctx: CommandContext, flags: DumpFlags): Promise<ExitCode> {
  const dialect = flags.dialect ?? ctx.config.schemaFile.dialect;
  const file = ctx.config.schemaFilePath;
  const label = path.relative(ctx.io.cwd, file) || file;
  const fresh = await buildSchemaFile(ctx.config, {
    dialect,
    env: ctx.io.env,
    log: (line) => ctx.reporter.info(line),
  });
  const current = readSchemaFile(file);
  if (flags.check) {
    const upToDate = current !== undefined && schemaFileBody(current) === schemaFileBody(fresh);
    const diff = upToDate
      ? ''
      : createTwoFilesPatch(`${label} (committed)`, `${label} (from the migrations)`, current ?? '', fresh);
    if (ctx.reporter.json)
      ctx.reporter.emit({ file: label, dialect, upToDate, exists: current !== undefined, diff });
    else if (upToDate) ctx.reporter.info(`${label} is up to date with the migrations (${dialect}).`);
    else {
      ctx.io.stdout(diff);
      ctx.reporter.error(
        `${label} ${current === undefined ? 'does not exist' : 'is out of date with the migrations'}; run \`kmigrate schema dump\` and commit it`,
      );
    }
    return upToDate ? EXIT.OK : EXIT.DIFFERENCE;
  }
  const changed = current !== fresh;
  if (changed) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, fresh);
  }
  if (ctx.reporter.json) ctx.reporter.emit({ file: label, dialect, changed });
  else
    ctx.reporter.info(
      changed ? `Wrote ${label} (${dialect}).` : `${label} is already up to date (${dialect}).`,
    );
  return EXIT.OK;
}
