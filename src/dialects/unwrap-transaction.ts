import type { StatementSplitter } from '../engine/statement-splitter.ts';
import { mayControlTransaction } from './transaction-words.ts';

// A plain BEGIN only: one with modes (`BEGIN ISOLATION LEVEL SERIALIZABLE`, SQLite's `BEGIN IMMEDIATE`)
// asks for a transaction the engine's is not, so that file runs its own (transaction-control.ts).
const BEGIN = /^(begin|start\s+transaction)(\s+(transaction|work))?$/i;
const COMMIT = /^(commit|end)(\s+(transaction|work))?$/i;

/**
 * Many real-world SQL migrations (golang-migrate's especially) wrap themselves
 * in BEGIN; … COMMIT;. Inside our own transaction that COMMIT would end it
 * early (PostgreSQL) or BEGIN would fail (SQLite). When a script's first
 * statement is BEGIN and its last COMMIT, both are blanked out — replaced by
 * spaces, so line numbers in error messages stay true.
 */
export function unwrapTransaction(script: string, split: StatementSplitter): string {
  // BEGIN/START and COMMIT/END are among its words: without one, nothing to unwrap (and no lexing).
  if (!mayControlTransaction(script)) return script;
  const statements = split(script);
  const first = statements[0];
  const last = statements.at(-1);
  if (!first || !last || first === last || !BEGIN.test(first.sql.trim()) || !COMMIT.test(last.sql.trim())) {
    return script;
  }
  return blank(blank(script, last.offset, last.sql.length, true), first.offset, first.sql.length, true);
}

/** Replaces `length` characters (and the `;` right after, if any) with spaces, keeping newlines. */
function blank(text: string, offset: number, length: number, withSemicolon: boolean): string {
  let end = offset + length;
  if (withSemicolon) {
    let i = end;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === ';') end = i + 1;
  }
  const middle = text.slice(offset, end).replace(/[^\n]/g, ' ');
  return text.slice(0, offset) + middle + text.slice(end);
}
