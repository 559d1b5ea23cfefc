/**
 * Compile-time checks, run by `npm run typecheck` (tsc) and by compile-time.test.ts:
 * the app's Kysely<DB> only knows what the migrations create. Each
 * @ts-expect-error fails the typecheck as soon as the line under it compiles.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../generated/db.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// Money stays an exact decimal string, never a float.
export type CostIsDecimalString = Expect<Equal<Selectable<DB['ai_cost_logs']>['cost_usd'], string>>;
export type LimitIsDecimalString = Expect<Equal<Selectable<DB['policies']>['limit_amount'], string>>;

export function typedQueries(db: Kysely<DB>) {
  return [
    db.selectFrom('ai_cost_logs').select(['cost_usd', 'model', 'created_at']).where('project_id', '=', 1),
    // @ts-expect-error no migration creates ai_cost_logs.total_cost
    db.selectFrom('ai_cost_logs').select('total_cost'),
    // @ts-expect-error no migration creates policies.budget
    db.selectFrom('policies').selectAll().where('budget', '=', 1),
    // @ts-expect-error no migration creates users.nickname
    db.insertInto('users').values({ email: 'ada@example.com', nickname: 'ada' }),
    // @ts-expect-error no migration creates a table cost_logs
    db.selectFrom('cost_logs').selectAll(),
    // @ts-expect-error the tracking table is not part of the app's types
    db.selectFrom('schema_migrations').selectAll(),
  ];
}
