import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { adoptLiveDatabase, adviceCommand, detectSupabase, initProject } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import { configOverrides } from '../context.ts';

export function registerInit(program: Command, run: CommandRunner): void {
  program
    .command('init')
    .description(
      'set up kmigrate in this project: kysely.config.ts, the migrations folder, an npm script (never overwrites; safe to run again)',
    )
    .option('--ci', 'also write .github/workflows/migrations.yml (apply and verify migrations in CI)')
    .option(
      '--from-live',
      'adopt an existing database: write a first migration that builds its current schema (pg_dump on PostgreSQL, sqlite_master on SQLite) and record it applied',
    )
    .action((opts: { ci?: boolean; fromLive?: boolean }, cmd: Command) =>
      run(cmd, async (ctx) => {
        // A Supabase URL (or --platform supabase) gives the new config `platform: 'supabase'`.
        const url = ctx.options.url ?? ctx.io.env.DATABASE_URL;
        const supabase =
          ctx.options.platform === 'supabase' ||
          (ctx.options.platform === undefined && url !== undefined && detectSupabase(url));
        const steps = initProject({
          cwd: ctx.io.cwd,
          ...(supabase ? { platform: 'supabase' as const } : {}),
          ...(opts.ci ? { ci: true } : {}),
          ...(ctx.options.dir ? { migrationsDir: ctx.options.dir } : {}),
        });
        const adoption = opts.fromLive
          ? await adoptLiveDatabase(
              // Read again: init may just have written the config.
              await loadConfig({
                cwd: ctx.io.cwd,
                env: ctx.io.env,
                ...(ctx.options.config ? { configFile: ctx.options.config } : {}),
                overrides: configOverrides(ctx.options),
              }),
              ctx.io.env,
            )
          : undefined;
        if (ctx.reporter.json) return ctx.reporter.emit({ steps, adoption: adoption ?? null });
        for (const step of steps)
          ctx.reporter.info(
            `  ${step.status === 'created' ? 'created' : 'kept   '} ${step.path} (${step.detail})`,
          );
        const command = (args: string) => adviceCommand(args, { env: ctx.io.env, cwd: ctx.io.cwd });
        if (adoption) {
          ctx.reporter.info(
            `Adopted the database: ${adoption.files.join(' and ')} build its ${adoption.objects} object(s) (${adoption.source}); recorded as applied, version ${adoption.version}.`,
          );
          ctx.reporter.info(
            `Next: \`${command('verify')}\`, \`${command('drift')}\`, \`${command('codegen --from-live')}\`.`,
          );
        } else if (steps.some((s) => s.status === 'created')) {
          ctx.reporter.info(
            `Next: \`${command('create "first migration"')}\`, then \`${command('latest')}\`.`,
          );
        } else ctx.reporter.info('Already set up: nothing to do.');
      }),
    );
}
