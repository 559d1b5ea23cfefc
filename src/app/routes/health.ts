import type { FastifyInstance } from 'fastify';
import { getStatus } from '../../index.ts';
import type { AppDeps } from './app-deps.ts';

/** The one route without an API key: for load balancers and deploy checks. */
export function registerHealthRoute(app: FastifyInstance, deps: AppDeps): void {
  app.get('/health', { config: { public: true } }, async (request, reply) => {
    try {
      const status = await getStatus(deps.database.db, deps.migrations);
      return {
        status: status.dirty ? 'dirty' : 'ok',
        schemaVersion: status.currentVersion,
        pendingMigrations: status.pending,
        database: deps.database.dialect,
      };
    } catch (error) {
      request.log.error(error);
      return reply.code(503).send({
        status: 'unavailable',
        message: 'the database did not answer; see the server log',
        database: deps.database.dialect,
      });
    }
  });
}
