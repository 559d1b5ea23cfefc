import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatDifference, isManagedSchema } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import { EXIT } from '../exit-codes.ts';
import { safe } from '../io.ts';
import { printPlatformHints } from '../platform-hints.ts';

export function registerDrift(program: Command, run: CommandRunner): void {
  program
    .command('drift')
    .description(
      'compare the database schema with what its applied migrations build on a scratch database (exit 3 on drift)',
    )
    .addOption(schemaOption())
    .action((opts: { schema?: string[] }, cmd: Command) =>
      run(cmd, (ctx) =>
        ctx.withMigrator(async (migrator) => {
          await printPlatformHints(ctx, migrator);
          const report = await migrator.drift({
            ...(opts.schema ? { schemas: opts.schema } : {}),
            onScratch: (label) => {
              if (ctx.reporter.verbose) ctx.reporter.info(`Building the applied migrations on ${label}.`);
            },
          });
          const where = `${safe(report.database)} (schema${report.schemas.length === 1 ? '' : 's'} ${report.schemas.join(', ')})`;
          const built = `${report.appliedVersions.length} applied migration${report.appliedVersions.length === 1 ? '' : 's'}`;
          if (ctx.reporter.json) {
            ctx.reporter.emit({
              database: safe(report.database),
              schemas: report.schemas,
              appliedVersions: report.appliedVersions,
              drift: report.drift,
              differences: report.differences,
            });
          } else if (!report.drift) {
            ctx.reporter.info(`No drift: ${where} matches what its ${built} build.`);
          } else {
            const n = report.differences.length;
            ctx.reporter.info(
              `Drift in ${where}: ${n} difference${n === 1 ? '' : 's'} from what its ${built} build (+ only in the database, - only in the migrations, ~ migrations → database):`,
            );
            for (const d of report.differences) ctx.reporter.info(`  ${formatDifference(d)}`);
          }
          return report.drift ? EXIT.DIFFERENCE : EXIT.OK;
        }),
      ),
    );
}

/** `--schema a,b`: our schemas to compare. Supabase-managed ones are refused: they are never compared. */
export function schemaOption(): Option {
  return new Option(
    '--schema <list>',
    'comma-separated schemas to compare (default: the config schema, public); Supabase-managed schemas are always left out',
  ).argParser((value: string) => {
    const schemas = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!schemas.length)
      throw new InvalidArgumentError('--schema takes one or more schema names, e.g. public,app');
    for (const s of schemas) {
      if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(s))
        throw new InvalidArgumentError(`--schema: "${s}" is not a plain schema name`);
      if (isManagedSchema(s))
        throw new InvalidArgumentError(
          `--schema: ${s} is managed by Supabase/PostgreSQL and is never compared; name only your own schemas`,
        );
    }
    return [...new Set(schemas)];
  });
}
