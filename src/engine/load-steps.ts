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
    planned.map(async (source) => ({ source, migration: await source.load(), direction })),
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
 * A COMMIT (or BEGIN, ROLLBACK, SAVEPOINT, …) inside a step that runs in the
 * engine's transaction would commit part of it without its tracking row: the
 * whole plan is refused before anything runs.
 */
function assertNoTransactionControl(ctx: RunContext, steps: readonly RunStep[]): void {
  for (const { source, migration, direction } of steps) {
    const step = direction === 'up' ? migration.up : migration.down;
    if (step?.kind !== 'sql' || !ctx.runner.isTransactional(migration, direction)) continue;
    // Not run on this dialect, so not read with its splitter either (a PostgreSQL `$$ … end; $$` body).
    if (ctx.runner.skipNote(source) !== undefined) continue;
    const found = ctx.adapter.findTransactionControl(step.sql);
    if (!found) continue;
    const { line } = lineAndColumn(step.sql, found.offset);
    throw new MigrationFileError(
      `${step.file}:${line}`,
      `\`${oneLine(found.sql).slice(0, 40)}\` controls the transaction, but migration ${source.version} runs inside the engine's transaction (committed together with its tracking row)`,
      'remove it (a whole-file BEGIN … COMMIT wrapper is fine), or make the file non-transactional with a first line `-- migrate:no-transaction`',
    );
  }
}
