import path from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { ConfigError } from '../config/config-error.ts';
import { redactUrl } from '../config/database-url.ts';
import { resolveConfig } from '../config/load-config.ts';
import { getStatus, type MigrationEvent, migrateToLatest, type StepResult } from '../index.ts';
import { type AppDatabase, openAppDatabase } from './app-database.ts';
import { buildApp, defaultMigrateOptions, PROJECT_ROOT } from './build-app.ts';

export interface StartAppOptions {
  /**
   * DATABASE_URL (else kysely.config.ts's databaseUrl, else sqlite:./data/dev.sqlite),
   * PORT (3000; 0 = any free port), HOST (127.0.0.1), LOG_LEVEL (info),
   * KMIGRATE_MIGRATIONS_DIR (default: the config's migrationsDir).
   */
  env?: NodeJS.ProcessEnv;
  /** Where start-up lines go; default stdout. */
  log?: (line: string) => void;
  logger?: FastifyServerOptions['logger'];
}

export interface StartedApp {
  readonly app: FastifyInstance;
  readonly database: AppDatabase;
  /** e.g. http://127.0.0.1:3000 */
  readonly address: string;
  /** What this process applied (or found applied by another process meanwhile). */
  readonly migrations: StepResult[];
  close(): Promise<void>;
}

/**
 * Start-up, in order: check the connection, apply pending migrations through
 * the embedding API (logging each), then listen. Any failure is thrown before
 * listening, after closing the connection: a process that cannot migrate never
 * serves. Several processes may start at once: the engine's lock makes each
 * migration run once, and the others wait, then see it applied.
 */
export async function startApp(options: StartAppOptions = {}): Promise<StartedApp> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stdout.write(`${redactUrl(line)}\n`));
  const port = parsePort(env.PORT);
  const host = env.HOST || '127.0.0.1';
  const migrationsDir = env.KMIGRATE_MIGRATIONS_DIR ? path.resolve(env.KMIGRATE_MIGRATIONS_DIR) : undefined;
  const migrateOptions = defaultMigrateOptions(migrationsDir);
  const config = resolveConfig(migrateOptions.config, { cwd: PROJECT_ROOT, env });

  log(`connecting to ${redactUrl(config.database.url)}`);
  const database = await openAppDatabase(config.database, { connectTimeoutMs: config.connectTimeoutMs });
  try {
    await sql`select 1`.execute(database.db);
    const results = await migrateToLatest(database.db, { ...migrateOptions, onEvent: logEvent(log) });
    const status = await getStatus(database.db, migrateOptions);
    log(
      results.some((r) => r.status === 'applied')
        ? `schema migrated to version ${status.currentVersion}`
        : `schema is up to date at version ${status.currentVersion}`,
    );
    const app = buildApp({
      database,
      migrations: migrateOptions,
      logger: options.logger ?? { level: env.LOG_LEVEL || 'info' },
    });
    const address = await app.listen({ host, port });
    log(`listening on ${address}`);
    return {
      app,
      database,
      address,
      migrations: results,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

function logEvent(log: (line: string) => void): (event: MigrationEvent) => void {
  return (event) => {
    if (event.type === 'ahead') {
      // A rolling deploy: a newer release already migrated further. This instance can serve.
      const names = event.migrations.map((m) => `${m.version}_${m.name}`).join(', ');
      log(`warning: the database has ${names} newer than this release's migrations; starting anyway`);
    } else if (event.type === 'retry') {
      log(`migration ${event.version} hit lock_timeout; retry ${event.attempt} in ${event.delayMs} ms`);
    } else if (event.type === 'done') {
      const { version, name, status, ms } = event.result;
      log(
        status === 'skipped'
          ? `migration ${version}_${name} was applied by another process meanwhile`
          : `applied migration ${version}_${name} (${ms} ms)`,
      );
    } else if (event.type === 'repeatable' && event.result.status !== 'skipped') {
      const { id, status, ms } = event.result;
      log(`applied repeatable migration ${id}${status === 'reapplied' ? ' again (changed)' : ''} (${ms} ms)`);
    }
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError('PORT', `"${value}" is not a port number`, 'use 0-65535 (0 = any free port)');
  }
  return port;
}
