import type { FastifyInstance } from 'fastify';
import type { Updateable } from 'kysely';
import type { Policies } from '../../../generated/db.ts';
import { toPolicyDto } from '../dto.ts';
import { HttpError, isUniqueViolation, notFound } from '../http-error.ts';
import { canonicalDecimal } from '../money.ts';
import {
  type CreatePolicyBody,
  createPolicyBodySchema,
  type IdParams,
  idParamsSchema,
  type UpdatePolicyBody,
  updatePolicyBodySchema,
} from '../schemas.ts';
import type { AppDeps } from './app-deps.ts';

const MAX_ID = 2_147_483_647;

/** CRUD for the project's spending policies. Every query is scoped to the caller's project: another project's id is a 404. */
export function registerPolicyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { db } = deps.database;

  app.post<{ Body: CreatePolicyBody }>(
    '/v1/policies',
    { schema: { body: createPolicyBodySchema } },
    async (request, reply) => {
      const body = request.body;
      const now = deps.now();
      const row = await db
        .insertInto('policies')
        .values({
          project_id: request.projectId,
          name: body.name,
          kind: body.kind,
          limit_amount: canonicalDecimal(body.limitAmount),
          period: body.period,
          enabled: body.enabled ?? true,
          // A string on both dialects: pg would send a JS array as a PostgreSQL array, not JSON.
          rules: JSON.stringify(body.rules ?? {}),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch(rethrowDuplicateName(body.name));
      return reply.code(201).send(toPolicyDto(row));
    },
  );

  app.get('/v1/policies', async (request) => {
    const rows = await db
      .selectFrom('policies')
      .selectAll()
      .where('project_id', '=', request.projectId)
      .orderBy('id')
      .execute();
    return { policies: rows.map(toPolicyDto) };
  });

  app.get<{ Params: IdParams }>(
    '/v1/policies/:id',
    { schema: { params: idParamsSchema } },
    async (request) => {
      const row = await db
        .selectFrom('policies')
        .selectAll()
        .where('project_id', '=', request.projectId)
        .where('id', '=', policyId(request.params))
        .executeTakeFirst();
      if (!row) throw notFound(`policy ${request.params.id}`);
      return toPolicyDto(row);
    },
  );

  app.patch<{ Params: IdParams; Body: UpdatePolicyBody }>(
    '/v1/policies/:id',
    { schema: { params: idParamsSchema, body: updatePolicyBodySchema } },
    async (request) => {
      const body = request.body;
      const changes: Updateable<Policies> = { updated_at: deps.now() };
      if (body.name !== undefined) changes.name = body.name;
      if (body.kind !== undefined) changes.kind = body.kind;
      if (body.limitAmount !== undefined) changes.limit_amount = canonicalDecimal(body.limitAmount);
      if (body.period !== undefined) changes.period = body.period;
      if (body.enabled !== undefined) changes.enabled = body.enabled;
      if (body.rules !== undefined) changes.rules = JSON.stringify(body.rules);
      const row = await db
        .updateTable('policies')
        .set(changes)
        .where('project_id', '=', request.projectId)
        .where('id', '=', policyId(request.params))
        .returningAll()
        .executeTakeFirst()
        .catch(rethrowDuplicateName(body.name ?? ''));
      if (!row) throw notFound(`policy ${request.params.id}`);
      return toPolicyDto(row);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/v1/policies/:id',
    { schema: { params: idParamsSchema } },
    async (request, reply) => {
      const result = await db
        .deleteFrom('policies')
        .where('project_id', '=', request.projectId)
        .where('id', '=', policyId(request.params))
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound(`policy ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}

/** Ids above int4 cannot exist; answering 404 beats PostgreSQL's "out of range" error. */
function policyId(params: IdParams): number {
  const id = Number(params.id);
  return id > MAX_ID ? 0 : id;
}

function rethrowDuplicateName(name: string): (error: unknown) => never {
  return (error) => {
    if (isUniqueViolation(error)) {
      throw new HttpError(409, 'duplicate_name', `a policy named "${name}" already exists in this project`, {
        field: 'name',
      });
    }
    throw error;
  };
}
