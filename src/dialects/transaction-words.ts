/**
 * Every word a transaction-control statement (transaction-control.ts) or a BEGIN/COMMIT
 * wrapper (unwrap-transaction.ts) starts with. A statement starts after
 * the script's start, a space, a `;` or a comment's end, so a script without one of
 * these words (in any case, standing alone) has no such statement: it is not lexed
 * for this (most migrations; lexing a cold script is ≈ 0.1 ms of a start-up).
 */
const TRANSACTION_WORD = /\b(begin|start|commit|end|rollback|abort|savepoint|release|prepare)\b/i;

/** False when `script` has no statement TRANSACTION_CONTROL matches (true when it may have one). */
export function mayControlTransaction(script: string): boolean {
  return TRANSACTION_WORD.test(script);
}
