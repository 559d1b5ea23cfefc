import { type Kysely, sql } from 'kysely';
import type { DB } from '../../generated/db.ts';
import type { AppDialect } from './app-database.ts';
import { type PolicyDto, toPolicyDto } from './dto.ts';
import { HttpError } from './http-error.ts';
import { decimalToUnits, sumMoneyUnits, unitsToDecimal } from './money.ts';
import { periodStart } from './periods.ts';
import type { PolicyRules } from './schemas.ts';

const UNITS_PER_TOKEN = decimalToUnits('1');

/** The call about to be recorded, as the policies see it. */
export interface PendingCall {
  provider: string;
  model: string;
  tokens: number;
  costUnits: bigint;
}

/**
 * Checks every enabled policy of the project against the call; throws a 429
 * `policy_violation` naming the first policy it would exceed (at the limit is
 * still allowed). Call it inside the transaction that inserts the log, after
 * lockProjectForWrite, so that two concurrent calls cannot both pass.
 */
export async function assertWithinPolicies(
  trx: Kysely<DB>,
  dialect: AppDialect,
  projectId: number,
  call: PendingCall,
  now: Date,
): Promise<void> {
  const rows = await trx
    .selectFrom('policies')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('enabled', '=', true)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const policy = toPolicyDto(row);
    const rules = policy.rules as PolicyRules;
    if (!matches(rules, call)) continue;
    const since = periodStart(policy.period as 'day' | 'month' | 'total', now);
    const used = await usage(trx, dialect, projectId, policy.kind, rules, since);
    const limit = decimalToUnits(policy.limitAmount);
    if (policy.kind === 'budget') {
      const total = used + call.costUnits;
      if (total > limit) throw violation(policy, unitsToDecimal(used), unitsToDecimal(total), 'USD');
    } else {
      const total = used + BigInt(call.tokens);
      if (total * UNITS_PER_TOKEN > limit) throw violation(policy, Number(used), Number(total), 'tokens');
    }
  }
}

/** PostgreSQL: serialises this project's writers until commit (SQLite transactions are already serial). */
export async function lockProjectForWrite(
  trx: Kysely<DB>,
  dialect: AppDialect,
  projectId: number,
): Promise<void> {
  if (dialect !== 'postgres') return;
  // NO KEY UPDATE: still lets other transactions insert rows referencing the project.
  await trx.selectFrom('projects').select('id').where('id', '=', projectId).forNoKeyUpdate().execute();
}

function matches(rules: PolicyRules, call: PendingCall): boolean {
  if (rules.models && !rules.models.includes(call.model)) return false;
  if (rules.providers && !rules.providers.includes(call.provider)) return false;
  return true;
}

/** Cost (units of 1e-8 USD) or tokens already recorded in the period, for the calls the rules cover. */
async function usage(
  trx: Kysely<DB>,
  dialect: AppDialect,
  projectId: number,
  kind: string,
  rules: PolicyRules,
  since: Date | null,
): Promise<bigint> {
  const total =
    kind === 'budget'
      ? sumMoneyUnits(dialect, 'cost_usd')
      : sql<string>`cast(coalesce(sum(input_tokens + output_tokens), 0) as text)`;
  const row = await trx
    .selectFrom('ai_cost_logs')
    .select(total.as('total'))
    .where('project_id', '=', projectId)
    .$if(since !== null, (qb) => qb.where('created_at', '>=', since!))
    .$if(rules.models !== undefined, (qb) => qb.where('model', 'in', rules.models!))
    .$if(rules.providers !== undefined, (qb) => qb.where('provider', 'in', rules.providers!))
    .executeTakeFirstOrThrow();
  return BigInt(row.total);
}

function violation(
  policy: PolicyDto,
  used: string | number,
  total: string | number,
  unit: string,
): HttpError {
  const per = policy.period === 'total' ? 'in total' : `per ${policy.period}`;
  // A token limit reads better as "1500" than as "1500.00000000".
  const limit = unit === 'tokens' ? policy.limitAmount.replace(/\.?0+$/, '') : policy.limitAmount;
  return new HttpError(
    429,
    'policy_violation',
    `policy "${policy.name}" allows ${limit} ${unit} ${per}; ${used} used, this call would make it ${total}`,
    { policy, used, wouldBe: total },
  );
}
