import { type Command, Option } from 'commander';
import { openScratchDatabase } from '../../dialects/scratch-database.ts';
import { describeFinding, type VerifyOutcome, verifyMigrations } from '../../engine/verify.ts';
import { assertIntegritySum, FileMigrationProvider } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';
import { EXIT } from '../exit-codes.ts';
import { printPlatformHints } from '../platform-hints.ts';
import type { Colors } from '../reporter.ts';
import { ourSchemas, schemaOption } from './drift.ts';

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
      run(cmd, async (ctx) => {
        // Bad names and duplicate versions throw MigrationFileError (exit 2) before any database is made.
        assertIntegritySum(ctx.config.migrationsPath, ctx.config.integritySum);
        const provider = new FileMigrationProvider({ migrationFolder: ctx.config.migrationsPath });
        const sources = await provider.loadSources();
        await Promise.all(sources.map((s) => s.load()));
        const repeatables = await provider.loadRepeatables();
        await Promise.all(repeatables.map((r) => r.load()));
        const dialect = opts.dialect ?? ctx.config.database.dialect;
        const schemas = ourSchemas(opts.schema, ctx.config.schema);
        if (!sources.length) {
          if (ctx.reporter.json) ctx.reporter.emit({ dialect, checked: 0, total: 0, ok: true, findings: [] });
          else ctx.reporter.info(`No migrations in ${ctx.config.migrationsPath}: nothing to verify.`);
          return EXIT.OK;
        }
        printPlatformHints(ctx, sources);
        const open = () =>
          openScratchDatabase({
            dialect,
            live: ctx.config.database,
            env: ctx.io.env,
            resetSchemas: [...schemas, ctx.config.schema],
            connectTimeoutMs: ctx.config.connectTimeoutMs,
            allowEmbedded: true,
            ...(ctx.config.platform ? { platform: ctx.config.platform } : {}),
          });
        let scratch = await open();
        try {
          ctx.reporter.info(
            `Verifying ${sources.length} migration${sources.length === 1 ? '' : 's'} on ${scratch.label} (up, down, up):`,
          );
          const report = await verifyMigrations({
            scratch,
            // After a down that does not reverse, the check goes on on a fresh scratch database.
            reopen: async () => {
              await scratch.close();
              scratch = await open();
              return scratch;
            },
            sources,
            repeatables,
            table: { schema: ctx.config.schema, name: ctx.config.table },
            schemas,
            settings: {
              lockTimeoutMs: ctx.config.lockTimeoutMs,
              statementLockTimeoutMs: ctx.config.statementLockTimeoutMs,
              statementTimeoutMs: ctx.config.statementTimeoutMs,
              lockRetries: 0,
            },
            onEvent: (e) =>
              ctx.reporter.info(`  ${mark(e.outcome, ctx.reporter.colors)} ${e.version}_${e.name}`),
          });
          const ok = report.findings.length === 0;
          if (ctx.reporter.json) {
            ctx.reporter.emit({ dialect, ...report, ok });
          } else if (ok) {
            ctx.reporter.info(`All ${report.total} migrations reverse.`);
          } else {
            for (const f of report.findings) for (const line of describeFinding(f)) ctx.reporter.info(line);
            const skipped = report.total - report.checked;
            ctx.reporter.info(
              `verify found ${report.findings.length} problem${report.findings.length === 1 ? '' : 's'}${skipped ? `; ${skipped} later migration${skipped === 1 ? ' was' : 's were'} not checked` : ''}.`,
            );
          }
          return ok ? EXIT.OK : EXIT.DIFFERENCE;
        } finally {
          await scratch.close();
        }
      }),
    );
}

function mark(outcome: VerifyOutcome, c: Colors): string {
  if (outcome === 'reversible') return `${c.green('✓')} reverses   `;
  if (outcome === 'no down') return `${c.yellow('!')} has no down`;
  if (outcome === 'not for this dialect') return `${c.dim('-')} not for this dialect (recorded, not run)`;
  return `${c.red('✗')} FAILS      `;
}
