import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import kmigrateConfig from '../../kysely.config.ts';
import type { MigrateOptions } from '../index.ts';
import type { AppDatabase } from './app-database.ts';
import { registerApiKeyAuth } from './auth.ts';
import { HttpError } from './http-error.ts';
import type { AppDeps } from './routes/app-deps.ts';
import { registerCostLogRoutes } from './routes/cost-logs.ts';
import { registerCostSummaryRoute } from './routes/cost-summary.ts';
import { registerHealthRoute } from './routes/health.ts';
import { registerPolicyRoutes } from './routes/policies.ts';
import { validationHttpError } from './validation-error.ts';

/** The repository root: kysely.config.ts and migrations/ live there, whatever the working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The migrations start-up applies: kysely.config.ts, read from the repository root. */
export function defaultMigrateOptions(migrationsDir?: string): MigrateOptions {
  return {
    config: { ...kmigrateConfig, ...(migrationsDir ? { migrationsDir } : {}) },
    cwd: PROJECT_ROOT,
  };
}

export interface BuildAppOptions {
  database: Pick<AppDatabase, 'db' | 'dialect'>;
  /** Default: the wall clock. */
  now?: () => Date;
  /** Fastify's logger (pino) options; default off. */
  logger?: FastifyServerOptions['logger'];
  /** What /health reads the schema version with; default defaultMigrateOptions(). */
  migrations?: MigrateOptions;
}

/**
 * The HTTP service, not listening: start-up (start-app.ts) listens, tests call
 * `app.inject`. The database must already be migrated.
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    // Bodies are validated as sent: "5" is not an integer, and unknown fields are errors, not silently dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const deps: AppDeps = {
    database: options.database,
    now: options.now ?? (() => new Date()),
    migrations: options.migrations ?? defaultMigrateOptions(),
  };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(error.toBody());
    if (error.validation) return reply.code(400).send(validationHttpError(error).toBody());
    if (error.statusCode !== undefined && error.statusCode < 500) {
      // Fastify's own 4xx: malformed JSON, wrong content type, body too large, …
      return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    request.log.error(error);
    return reply.code(500).send({ error: 'internal_error', message: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );

  registerApiKeyAuth(app, deps.database.db);
  registerHealthRoute(app, deps);
  registerCostLogRoutes(app, deps);
  registerCostSummaryRoute(app, deps);
  registerPolicyRoutes(app, deps);
  return app;
}
