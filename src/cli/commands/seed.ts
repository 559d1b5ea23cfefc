import path from 'node:path';
import type { Command } from 'commander';
import {
  DevelopmentOnlyError,
  isLocalDatabase,
  type KMigrator,
  loadSeeds,
  NotMigratedError,
  type SeedResult,
} from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import type { CommandContext } from '../context.ts';

export function registerSeed(program: Command, run: CommandRunner): void {
  program
    .command('seed')
    .description(
      'run the development seeds (seeds/*.sql, seeds/*.ts) in name order, one transaction each; SQLite or a local PostgreSQL only unless --allow-remote',
    )
    .option('--allow-remote', 'seed a database that is not SQLite or on a local host')
    .action((opts: { allowRemote?: boolean }, cmd: Command) =>
      run(cmd, async (ctx) => {
        if (!opts.allowRemote && !isLocalDatabase(ctx.config.database)) {
          throw new DevelopmentOnlyError(
            'seed',
            ctx.config.database.url,
            'it is not SQLite or a local host',
            '--allow-remote',
            2,
          );
        }
        const results = await ctx.withMigrator(async (migrator) => {
          const status = await migrator.status();
          if (status.dirty) throw new NotMigratedError('seed', 'the database is dirty');
          if (status.pending) {
            throw new NotMigratedError(
              'seed',
              `${status.pending} migration${status.pending === 1 ? ' is' : 's are'} pending, and seeds expect the full schema`,
            );
          }
          return seedDatabase(ctx, migrator);
        });
        if (ctx.reporter.json) ctx.reporter.emit({ dryRun: ctx.options.dryRun ?? false, seeds: results });
      }),
    );
}

/** Runs (or, in a dry run, lists) the seeds on an open, migrated database. Shared with `reset`. */
export async function seedDatabase(ctx: CommandContext, migrator: KMigrator): Promise<SeedResult[]> {
  const database = await migrator.database();
  const seeds = loadSeeds(ctx.config.seedsPath);
  const folder = path.relative(ctx.io.cwd, ctx.config.seedsPath) || ctx.config.seedsPath;
  if (!seeds.length) {
    ctx.reporter.info(`No seeds in ${folder}.`);
    return [];
  }
  if (ctx.options.dryRun) {
    ctx.reporter.info(
      `Dry run: would run ${seeds.length} seed${seeds.length === 1 ? '' : 's'} on ${database.label}:`,
    );
    for (const s of seeds) ctx.reporter.info(`  ${s.file}`);
    return seeds.map((s) => ({ file: s.file, ms: 0 }));
  }
  const results = await migrator.seed({
    onSeed: (r) => ctx.reporter.info(`  seeded ${r.file} (${r.ms} ms)`),
  });
  ctx.reporter.info(
    `Ran ${results.length} seed${results.length === 1 ? '' : 's'} from ${folder} on ${database.label}.`,
  );
  return results;
}
