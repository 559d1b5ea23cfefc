import { MigrationFileError, oneLine, PoolerRefusedError } from './errors.ts';
import type { RunContext } from './run-context.ts';
import { lineAndColumn } from './script-error.ts';
import type { RunStep } from './step-runner.ts';
import type { Direction, MigrationSource } from './types.ts';

/**
 * Imports every planned module (validating it) before the first step runs,
 * and refuses, before anything runs, what this connection cannot run safely.
 */
export async function loadSteps(
  ctx: RunContext,
  planned: readonly MigrationSource[],
  direction: Direction,
): Promise<RunStep[]> {
  const steps = await Promise.all(
    planned.map(async (source) => ({ source, migration: await source.load(direction), direction })),
  );
  assertNoTransactionControl(ctx, steps);
  if (!ctx.adapter.capabilities.sessionLock) {
    const unsafe = steps.filter(
      (s) =>
        ctx.runner.skipNote(s.source) === undefined && !ctx.runner.isTransactional(s.migration, direction),
    );
    if (unsafe.length) {
      throw new PoolerRefusedError(
        unsafe.map((s) => s.source.version),
        ctx.adapter.sessionLockUnavailableReason ?? 'the connection goes through a transaction-mode pooler',
      );
    }
  }
  return steps;
}

/**
 * A COMMIT (or BEGIN, ROLLBACK, SAVEPOINT, …) that belongs to no complete
 * block of the file's own would commit part of a migration without its
 * tracking row, and a CREATE INDEX CONCURRENTLY inside such a block fails as it
 * does under psql: the whole plan is refused before anything runs. A file
 * whose statements run in complete BEGIN … COMMIT blocks of its own runs
 * outside the engine's transaction, as written (isTransactionalStep).
 */
function assertNoTransactionControl(ctx: RunContext, steps: readonly RunStep[]): void {
  for (const { source, migration, direction } of steps) {
    const step = direction === 'up' ? migration.up : migration.down;
    if (step?.kind !== 'sql') continue;
    // Not run on this dialect, so not read with its splitter either (a PostgreSQL `$$ … end; $$` body).
    if (ctx.runner.skipNote(source) !== undefined) continue;
    const found = ctx.adapter.scriptTransactions(step.sql);
    if (found.kind !== 'refused') continue;
    // A file marked `-- migrate:no-transaction` manages its transactions as it likes; a statement that
    // cannot run in a transaction block inside one of its blocks fails there all the same.
    if (!migration.transactional && found.reason === 'control') continue;
    const { line } = lineAndColumn(step.sql, found.statement.offset);
    const quoted = `\`${oneLine(found.statement.sql).slice(0, 40)}\``;
    throw found.reason === 'control'
      ? new MigrationFileError(
          `${step.file}:${line}`,
          `${quoted} controls the transaction outside a BEGIN … COMMIT block of the file's own, but migration ${source.version} runs inside the engine's transaction (committed together with its tracking row)`,
          'remove it (a whole-file BEGIN … COMMIT wrapper is fine, and so are complete BEGIN … COMMIT blocks), or make the file non-transactional with a first line `-- migrate:no-transaction`',
        )
      : new MigrationFileError(
          `${step.file}:${line}`,
          `${quoted} cannot run inside a transaction block, but migration ${source.version} runs it between BEGIN and COMMIT`,
          'remove the BEGIN and COMMIT around it (the file then runs outside a transaction, statement by statement)',
        );
  }
}
