/**
 * JSON schemas Fastify validates requests with (Ajv, no type coercion, unknown
 * fields rejected), next to the TypeScript types the handlers receive.
 */
import { DECIMAL_INPUT_PATTERN } from './money.ts';
import { PERIODS, type Period } from './periods.ts';

export const POLICY_KINDS = ['budget', 'token_limit'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

const MAX_INT4 = 2_147_483_647;
const decimal = { type: 'string', pattern: DECIMAL_INPUT_PATTERN } as const;
const count = { type: 'integer', minimum: 0, maximum: MAX_INT4 } as const;
const label = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

/** Fields whose `pattern` failure deserves a better sentence than Ajv's. */
export const PATTERN_HINTS: Record<string, string> = {
  costUsd: 'must be a decimal string such as "0.0042" (at most 10 digits before the point and 8 after)',
  limitAmount:
    'must be a decimal string such as "25" or "0.5" (at most 10 digits before the point and 8 after)',
  id: 'must be a positive integer',
};

export interface CostLogBody {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  latencyMs: number;
  requestId: string;
}

export const costLogBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'model', 'inputTokens', 'outputTokens', 'costUsd', 'latencyMs', 'requestId'],
  properties: {
    provider: label(100),
    model: label(200),
    inputTokens: count,
    outputTokens: count,
    costUsd: decimal,
    latencyMs: count,
    requestId: label(200),
  },
} as const;

export interface CostSummaryQuery {
  from?: string;
  to?: string;
  period?: Period;
}

export const costSummaryQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    period: { type: 'string', enum: PERIODS },
  },
} as const;

/** Which calls a policy counts; absent = all of the project's calls. */
export interface PolicyRules {
  models?: string[];
  providers?: string[];
}

const nameList = { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: label(200) } as const;

const policyProperties = {
  name: label(100),
  kind: { type: 'string', enum: POLICY_KINDS },
  limitAmount: decimal,
  period: { type: 'string', enum: PERIODS },
  enabled: { type: 'boolean' },
  rules: {
    type: 'object',
    additionalProperties: false,
    properties: { models: nameList, providers: nameList },
  },
} as const;

export interface CreatePolicyBody {
  name: string;
  kind: PolicyKind;
  limitAmount: string;
  period: Period;
  enabled?: boolean;
  rules?: PolicyRules;
}

export const createPolicyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind', 'limitAmount', 'period'],
  properties: policyProperties,
} as const;

export type UpdatePolicyBody = Partial<CreatePolicyBody>;

export const updatePolicyBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: policyProperties,
} as const;

export interface IdParams {
  id: string;
}

/** A string (no coercion): ids are checked, then converted by the handler. */
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;
