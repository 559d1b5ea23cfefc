import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../generated/db.ts';
import { projectForApiKey } from './api-keys.ts';
import { HttpError } from './http-error.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project of the request's API key; set for every route except public ones. */
    projectId: number;
  }
  interface FastifyContextConfig {
    /** No API key needed (only /health). */
    public?: boolean;
  }
}

/**
 * Every route needs a project API key, as `Authorization: Bearer <key>` or
 * `x-api-key: <key>`, except routes marked `config: { public: true }`. It runs
 * before the body is parsed: an unauthenticated caller learns nothing, not even
 * whether its body was valid.
 */
export function registerApiKeyAuth(app: FastifyInstance, db: Kysely<DB>): void {
  app.decorateRequest('projectId', 0);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    const key = presentedKey(request);
    if (!key) {
      throw unauthorized('missing API key; send it as "Authorization: Bearer <key>" or "x-api-key: <key>"');
    }
    const projectId = await projectForApiKey(db, key);
    if (projectId === undefined) throw unauthorized('invalid or revoked API key');
    request.projectId = projectId;
  });
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization) return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}
