import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { HttpError } from '../http-error.ts';
import { sumMoneyUnits, unitsToDecimal } from '../money.ts';
import { toCount } from '../normalize.ts';
import { periodStart } from '../periods.ts';
import { type CostSummaryQuery, costSummaryQuerySchema } from '../schemas.ts';
import type { AppDeps } from './app-deps.ts';

export interface ModelCost {
  provider: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  avgLatencyMs: number;
}

export interface CostSummary {
  projectId: number;
  /** Inclusive; null = from the first call. */
  from: string | null;
  /** Exclusive; null = up to now. */
  to: string | null;
  totals: Omit<ModelCost, 'provider' | 'model' | 'avgLatencyMs'>;
  /** Most expensive first; ties by provider, then model. */
  byModel: ModelCost[];
}

/**
 * GET /v1/cost-summary?period=day|month|total, or ?from=…&to=… (ISO-8601).
 * Default: the current UTC month. Sums are exact on both dialects (money.ts).
 */
export function registerCostSummaryRoute(app: FastifyInstance, deps: AppDeps): void {
  const { db, dialect } = deps.database;
  app.get<{ Querystring: CostSummaryQuery }>(
    '/v1/cost-summary',
    { schema: { querystring: costSummaryQuerySchema } },
    async (request): Promise<CostSummary> => {
      const query = request.query;
      if (query.period && (query.from || query.to)) {
        throw new HttpError(400, 'invalid_request', 'give either period or from/to, not both', {
          field: 'period',
          in: 'querystring',
        });
      }
      const from = query.from ? new Date(query.from) : periodStart(query.period ?? 'month', deps.now());
      const to = query.to ? new Date(query.to) : null;
      if (from && to && from >= to) {
        throw new HttpError(400, 'invalid_request', 'from must be before to', {
          field: 'from',
          in: 'querystring',
        });
      }
      const rows = await db
        .selectFrom('ai_cost_logs')
        .where('project_id', '=', request.projectId)
        .$if(from !== null, (qb) => qb.where('created_at', '>=', from!))
        .$if(to !== null, (qb) => qb.where('created_at', '<', to!))
        .groupBy(['provider', 'model'])
        .select((eb) => [
          'provider',
          'model',
          eb.fn.countAll<string | number>().as('requests'),
          // Integer sums as text: bigint on PostgreSQL, exact on SQLite.
          sql<string>`cast(coalesce(sum(input_tokens), 0) as text)`.as('input_tokens'),
          sql<string>`cast(coalesce(sum(output_tokens), 0) as text)`.as('output_tokens'),
          sql<string>`cast(coalesce(sum(latency_ms), 0) as text)`.as('latency_ms'),
          sumMoneyUnits(dialect, 'cost_usd').as('cost_units'),
        ])
        .execute();
      const byModel = rows
        .map((row) => {
          const requests = toCount(row.requests);
          return {
            units: BigInt(row.cost_units),
            cost: {
              provider: row.provider,
              model: row.model,
              requests,
              inputTokens: toCount(row.input_tokens),
              outputTokens: toCount(row.output_tokens),
              costUsd: unitsToDecimal(BigInt(row.cost_units)),
              avgLatencyMs: Math.round(toCount(row.latency_ms) / requests),
            },
          };
        })
        .sort(
          (a, b) =>
            (a.units < b.units ? 1 : a.units > b.units ? -1 : 0) ||
            compareText(a.cost.provider, b.cost.provider) ||
            compareText(a.cost.model, b.cost.model),
        );
      return {
        projectId: request.projectId,
        from: from?.toISOString() ?? null,
        to: to?.toISOString() ?? null,
        totals: {
          requests: byModel.reduce((n, m) => n + m.cost.requests, 0),
          inputTokens: byModel.reduce((n, m) => n + m.cost.inputTokens, 0),
          outputTokens: byModel.reduce((n, m) => n + m.cost.outputTokens, 0),
          costUsd: unitsToDecimal(byModel.reduce((n, m) => n + m.units, 0n)),
        },
        byModel: byModel.map((m) => m.cost),
      };
    },
  );
}

/** Code-point order: the same on every machine and both dialects (no locale collation). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
