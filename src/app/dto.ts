import type { Selectable } from 'kysely';
import type { AiCostLogs, JsonObject, Policies } from '../../generated/db.ts';
import { canonicalDecimal } from './money.ts';
import { toBoolean, toIdString, toIsoString, toJsonObject } from './normalize.ts';

/** What the API returns for a cost log: the same JSON on SQLite and PostgreSQL. */
export interface CostLogDto {
  id: string;
  projectId: number;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  latencyMs: number;
  requestId: string;
  createdAt: string;
}

export interface PolicyDto {
  id: number;
  projectId: number;
  name: string;
  kind: string;
  limitAmount: string;
  period: string;
  enabled: boolean;
  rules: JsonObject;
  createdAt: string;
  updatedAt: string;
}

export function toCostLogDto(row: Selectable<AiCostLogs>): CostLogDto {
  return {
    id: toIdString(row.id),
    projectId: row.project_id,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: canonicalDecimal(row.cost_usd),
    latencyMs: row.latency_ms,
    requestId: row.request_id,
    createdAt: toIsoString(row.created_at),
  };
}

export function toPolicyDto(row: Selectable<Policies>): PolicyDto {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    kind: row.kind,
    limitAmount: canonicalDecimal(row.limit_amount),
    period: row.period,
    enabled: toBoolean(row.enabled),
    rules: toJsonObject(row.rules),
    createdAt: toIsoString(row.created_at),
    updatedAt: toIsoString(row.updated_at),
  };
}
