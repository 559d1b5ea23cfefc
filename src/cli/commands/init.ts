import type { Command } from 'commander';
import { adoptLiveDatabase, adviceCommand, detectPlatform, initProject, loadConfig } from '../../index.ts';
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
        // A Supabase URL, a database with Supabase's managed schemas, or --platform supabase gives
        // the new config `platform: 'supabase'`.
        const url = ctx.options.url ?? ctx.io.env.DATABASE_URL;
        const detected =
          ctx.options.platform === undefined && url !== undefined
            ? await detectPlatform(url, { cwd: ctx.io.cwd })
            : undefined;
        const supabase = ctx.options.platform === 'supabase' || detected?.platform === 'supabase';
        const steps = initProject({
          cwd: ctx.io.cwd,
          ...(supabase ? { platform: 'supabase' as const } : {}),
          ...(opts.ci ? { ci: true } : {}),
          ...(ctx.options.dir ? { migrationsDir: ctx.options.dir } : {}),
        });
        // Read again: init may just have written the config.
        const load = () =>
          loadConfig({
            cwd: ctx.io.cwd,
            env: ctx.io.env,
            ...(ctx.options.config ? { configFile: ctx.options.config } : {}),
            overrides: configOverrides(ctx.options),
          });
        const adoption = opts.fromLive ? await adoptLiveDatabase(await load(), ctx.io.env) : undefined;
        // A config that was already there is never rewritten: say what it lacks instead.
        const configKept = steps[0]?.status === 'kept';
        const platformHint =
          detected?.platform === 'supabase' &&
          configKept &&
          (await load().catch(() => undefined))?.platform === undefined
            ? `This database is a Supabase project (${detected.by === 'url' ? 'its URL' : 'its managed schemas'}): add \`platform: 'supabase'\` to ${steps[0]!.path} so drift, verify and codegen build on a Supabase stand-in.`
            : undefined;
        if (ctx.reporter.json)
          return ctx.reporter.emit({
            steps,
            adoption: adoption ?? null,
            platform: supabase ? 'supabase' : null,
            ...(platformHint ? { hint: platformHint } : {}),
          });
        if (detected?.platform === 'supabase' && !configKept)
          ctx.reporter.info(
            `Detected a Supabase project (${detected.by === 'url' ? 'from the URL' : 'from its managed schemas auth, storage, …'}): the config sets platform: 'supabase'.`,
          );
        if (platformHint) ctx.reporter.info(platformHint);
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
