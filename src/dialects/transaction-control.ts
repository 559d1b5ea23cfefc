import type { ScriptTransactions } from '../engine/script-transactions.ts';
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
function findTransactionControl(script: string, split: StatementSplitter): SplitStatement | undefined {
  if (!mayControlTransaction(script)) return undefined;
  return split(unwrapTransaction(script, split)).find((s) => TRANSACTION_CONTROL.test(s.sql.trim()));
}

/** Statements that open, close, or act inside a transaction block of the script's own. */
const OPENS = /^(begin|start\s+transaction)\b/i;
const CLOSES = /^(commit|end)\b/i;
/** Two-phase commit's second phase: never part of a migration's own block. */
const PREPARED = /^(commit|rollback)\s+prepared\b/i;
/** `COMMIT AND CHAIN` ends a block and opens the next one. */
const CHAINS = /\band\s+chain\b/i;
/** Savepoints, released or rolled back to: fine inside a block of the script's own. */
const INSIDE_BLOCK = /^(savepoint|release|rollback(\s+(transaction|work))?\s+to)\b/i;

const NONE: ScriptTransactions = { kind: 'none' };

/**
 * Reads a script's own transaction statements (ScriptTransactions). Walks the
 * text as written: a block opens with BEGIN / START TRANSACTION (with any
 * modes: isolation level, SQLite's IMMEDIATE) and closes with COMMIT / END;
 * savepoints may come inside one. A ROLLBACK, ABORT or PREPARE TRANSACTION,
 * a close without an open, an open inside an open block or a block left open
 * is refused, as is a statement `nonTransactional` says cannot run in a
 * transaction inside a block. A plain whole-file wrapper with nothing else is
 * `none`: it is removed and the file runs in the engine's transaction.
 */
export function scriptTransactions(
  script: string,
  split: StatementSplitter,
  nonTransactional: (sql: string) => boolean,
): ScriptTransactions {
  if (!mayControlTransaction(script)) return NONE;
  const statements = split(script);
  if (!statements.some((s) => TRANSACTION_CONTROL.test(s.sql.trim()))) return NONE;
  const walked = walkBlocks(statements, nonTransactional);
  if (walked.kind === 'refused' && walked.reason === 'non-transactional-in-block') return walked;
  // Only a plain wrapper (unwrapTransaction removes it): the engine's transaction takes its place.
  if (!findTransactionControl(script, split)) return NONE;
  return walked;
}

function walkBlocks(
  statements: readonly SplitStatement[],
  nonTransactional: (sql: string) => boolean,
): ScriptTransactions {
  let open: SplitStatement | undefined;
  let first: SplitStatement | undefined;
  const refused = (statement: SplitStatement, reason: 'control' | 'non-transactional-in-block') =>
    ({ kind: 'refused', statement, reason }) as const;
  for (const statement of statements) {
    const text = statement.sql.trim();
    if (PREPARED.test(text)) return refused(statement, 'control');
    if (OPENS.test(text)) {
      if (open) return refused(statement, 'control');
      open = statement;
      first ??= statement;
    } else if (CLOSES.test(text)) {
      if (!open) return refused(statement, 'control');
      if (!CHAINS.test(text)) open = undefined;
    } else if (INSIDE_BLOCK.test(text)) {
      if (!open) return refused(statement, 'control');
    } else if (TRANSACTION_CONTROL.test(text)) {
      return refused(statement, 'control');
    } else if (open && nonTransactional(text)) {
      return refused(statement, 'non-transactional-in-block');
    }
  }
  if (open) return refused(open, 'control');
  // Reached only when some statement controls the transaction, so a block was opened.
  return first ? { kind: 'own', statement: first } : NONE;
}
