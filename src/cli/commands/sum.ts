import path from 'node:path';
import type { Command } from 'commander';
import { assertIntegritySum, INTEGRITY_SUM_FILE, writeIntegritySum } from '../../index.ts';
import type { CommandRunner } from '../command-runner.ts';

export function registerSum(program: Command, run: CommandRunner): void {
  program
    .command('sum')
    .description(
      `write ${INTEGRITY_SUM_FILE}, the integrity sum of the migrations folder (after reviewing it); --check only checks it (exit 2 on a mismatch)`,
    )
    .option('--check', 'change nothing; exit 2 naming the first file that does not match')
    .action((opts: { check?: boolean }, cmd: Command) =>
      run(cmd, async (ctx) => {
        const dir = ctx.config.migrationsPath;
        const display = path.relative(ctx.io.cwd, path.join(dir, INTEGRITY_SUM_FILE)) || INTEGRITY_SUM_FILE;
        if (opts.check) {
          // --check means "required": a missing file is a failure here even when the config is unset.
          assertIntegritySum(dir, true);
          if (ctx.reporter.json) ctx.reporter.emit({ file: display, ok: true });
          else ctx.reporter.info(`${display} matches the migrations folder.`);
          return;
        }
        const sum = writeIntegritySum(dir);
        if (ctx.reporter.json)
          ctx.reporter.emit({ file: display, files: sum.lines.length, total: sum.total });
        else
          ctx.reporter.info(
            `Wrote ${display} (${sum.lines.length} file${sum.lines.length === 1 ? '' : 's'}, h1:${sum.total}).`,
          );
        if (ctx.config.integritySum === false)
          ctx.reporter.warn(
            'integritySum is false in the config, so the sum is not checked; remove the setting to check it',
          );
      }),
    );
}
