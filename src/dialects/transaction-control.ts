import type { SplitStatement, StatementSplitter } from '../engine/statement-splitter.ts';
import { mayControlTransaction } from './transaction-words.ts';
import { unwrapTransaction } from './unwrap-transaction.ts';

/**
 * Statements that end, open or nest a transaction. Inside the engine's own
 * transaction each of them would commit (or roll back) part of a migration
 * behind its back, so the tracking row and the schema could disagree.
 */
const TRANSACTION_CONTROL =
  /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;

/**
 * The first transaction-control statement of a script that runs inside the
 * engine's transaction, after the supported whole-file BEGIN/COMMIT wrapper
 * is removed. Uses the dialect's lexer, so `DO $$ … COMMIT … $$`, function and
 * trigger bodies, strings and comments never match.
 */
export function findTransactionControl(script: string, split: StatementSplitter): SplitStatement | undefined {
  if (!mayControlTransaction(script)) return undefined;
  return split(unwrapTransaction(script, split)).find((s) => TRANSACTION_CONTROL.test(s.sql.trim()));
}
