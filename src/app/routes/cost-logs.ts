import type { FastifyInstance } from 'fastify';
import { toCostLogDto } from '../dto.ts';
import { HttpError, isUniqueViolation } from '../http-error.ts';
import { decimalToUnits, unitsToDecimal } from '../money.ts';
import { assertWithinPolicies, lockProjectForWrite } from '../policy-enforcement.ts';
import { type CostLogBody, costLogBodySchema } from '../schemas.ts';
import type { AppDeps } from './app-deps.ts';

export function registerCostLogRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { db, dialect } = deps.database;

  /** Records one model call; 429 when an enabled policy of the project would be exceeded, 409 on a repeated requestId. */
  app.post<{ Body: CostLogBody }>(
    '/v1/cost-logs',
    { schema: { body: costLogBodySchema } },
    async (request, reply) => {
      const body = request.body;
      const projectId = request.projectId;
      const costUnits = decimalToUnits(body.costUsd);
      const now = deps.now();
      const duplicate = () =>
        new HttpError(
          409,
          'duplicate_request_id',
          `requestId "${body.requestId}" is already recorded for this project`,
          {
            field: 'requestId',
          },
        );
      try {
        const row = await db.transaction().execute(async (trx) => {
          await lockProjectForWrite(trx, dialect, projectId);
          const existing = await trx
            .selectFrom('ai_cost_logs')
            .select('id')
            .where('project_id', '=', projectId)
            .where('request_id', '=', body.requestId)
            .executeTakeFirst();
          if (existing) throw duplicate();
          await assertWithinPolicies(
            trx,
            dialect,
            projectId,
            {
              provider: body.provider,
              model: body.model,
              tokens: body.inputTokens + body.outputTokens,
              costUnits,
            },
            now,
          );
          return trx
            .insertInto('ai_cost_logs')
            .values({
              project_id: projectId,
              provider: body.provider,
              model: body.model,
              input_tokens: body.inputTokens,
              output_tokens: body.outputTokens,
              // Canonical spelling: SQLite stores exactly this text, PostgreSQL the same numeric.
              cost_usd: unitsToDecimal(costUnits),
              latency_ms: body.latencyMs,
              request_id: body.requestId,
              created_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
        });
        return reply.code(201).send(toCostLogDto(row));
      } catch (error) {
        // Two processes racing on SQLite (no row lock) can still collide on the unique key.
        if (isUniqueViolation(error)) throw duplicate();
        throw error;
      }
    },
  );
}
