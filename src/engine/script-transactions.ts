import type { SplitStatement } from './statement-splitter.ts';

/**
 * How an SQL script's own transaction statements stand (a dialect's
 * scriptTransactions, read with its lexer):
 * - `none`: it has none, or only a plain whole-file `BEGIN; … COMMIT;` wrapper
 *   (removed): it runs inside the engine's transaction, with its tracking row;
 * - `own`: it runs its statements in complete `BEGIN … COMMIT` blocks of its own
 *   (golang-migrate folders do: ente's migrations, a `BEGIN ISOLATION LEVEL …`
 *   wrapper): it runs outside the engine's transaction, statement by statement,
 *   exactly as written — as psql and golang-migrate run it;
 * - `refused`: a `COMMIT`, `ROLLBACK`, `SAVEPOINT` … that belongs to no block of
 *   its own (it would end or nest the engine's transaction), or a statement that
 *   cannot run in a transaction inside one of its blocks (it fails under psql too).
 */
export type ScriptTransactions =
  | { readonly kind: 'none' }
  /** `statement`: the first block's BEGIN. */
  | { readonly kind: 'own'; readonly statement: SplitStatement }
  | {
      readonly kind: 'refused';
      readonly statement: SplitStatement;
      readonly reason: 'control' | 'non-transactional-in-block';
    };
