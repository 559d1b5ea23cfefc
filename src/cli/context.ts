import {
  type ConfigOverrides,
  ConfirmationRequiredError,
  type KMigrator,
  loadConfig,
  migratorForConfig,
  NotConfirmedError,
  type ResolvedConfig,
} from '../index.ts';
import { noteCodeCacheLabel } from './code-cache-label.ts';
import type { GlobalOptions } from './global-options.ts';
import { type CliIO, safe } from './io.ts';
import { Reporter } from './reporter.ts';

/** What every command gets: the resolved config, output, and a way to open the migrator. */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly config: ResolvedConfig;
  readonly io: CliIO;
  readonly reporter: Reporter;
  /**
   * The facade for this configuration and these flags: runs `fn`, always closes.
   * readOnly: only reads follow (status), so an SQLite file is neither created nor switched to WAL.
   */
  withMigrator<T>(fn: (m: KMigrator) => Promise<T>, access?: { readOnly?: boolean }): Promise<T>;
  /** Asks in a terminal; without one, needs --yes. */
  confirm(action: string): Promise<void>;
}

export async function createContext(options: GlobalOptions, io: CliIO): Promise<CommandContext> {
  const reporter = new Reporter(io, options);
  const config = await loadConfig({
    cwd: io.cwd,
    env: io.env,
    // A named config file must exist; without one the nearest kysely.config.* upward is used, if any.
    ...(options.config ? { configFile: options.config } : {}),
    overrides: configOverrides(options),
  });
  return {
    options,
    config,
    io,
    reporter,
    async withMigrator(fn, access = {}) {
      const migrator = migratorForConfig(config, {
        allowOutOfOrder: options.allowOutOfOrder ?? false,
        onEvent: (event) => {
          if (event.type === 'done' && event.result.status === 'skipped')
            noteCodeCacheLabel('waited', config.database.dialect);
          reporter.onEvent(event);
        },
        env: io.env,
        ...(access.readOnly ? { readOnly: true } : {}),
      });
      try {
        return await fn(migrator);
      } finally {
        await migrator.close();
      }
    },
    async confirm(action) {
      if (options.yes || options.dryRun) return;
      if (!io.isTTY) throw new ConfirmationRequiredError(safe(action));
      // The question goes to the terminal through readline, not through io.stderr: redact it here.
      if (!(await io.confirm(safe(`${action}?`)))) throw new NotConfirmedError(safe(action));
    },
  };
}

/** The global options that override the config file. */
export function configOverrides(options: GlobalOptions): ConfigOverrides {
  return {
    ...(options.url !== undefined ? { url: options.url } : {}),
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.lockTimeout !== undefined ? { lockTimeoutMs: options.lockTimeout } : {}),
    ...(options.stepTimeout !== undefined ? { stepTimeoutMs: options.stepTimeout } : {}),
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
  };
}
