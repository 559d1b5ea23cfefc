import type { CompiledQuery } from 'kysely';
import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import { dialectSkipNote } from './dialect-skip.ts';
import type { PlannedStep } from './planned-step.ts';
import { createRecordingKysely } from './recording-kysely.ts';
import type { Direction, LoadedMigration, MigrationSource, MigrationStep } from './types.ts';

/** One migration's `up`, as the SQL it would send, whatever its state in a database. */
export interface CompiledUp {
  readonly source: MigrationSource;
  /** The file the step came from, relative to the migrations folder. */
  readonly file: string;
  readonly kind: 'sql' | 'code';
  /** Decided the way the engine decides it when running (isTransactionalStep). */
  readonly transactional: boolean;
  /**
   * SQL steps: the step's script text, once. Code steps: each query the module
   * sent, compiled with `db`'s dialect.
   */
  readonly statements: string[];
}

/**
 * The one compile step, shared by --dry-run and lint: an SQL step is its
 * script text, once; a code step is each query the module sends, compiled
 * with `db`'s dialect through a recording Kysely that executes nothing.
 * Modules that read rows get no rows back, so data-dependent branches compile
 * as for an empty table.
 */
export async function compileStatements(step: MigrationStep, db: AnyKysely): Promise<string[]> {
  if (step.kind === 'sql') return [step.sql];
  const recording = createRecordingKysely(db);
  await step.run(recording.db);
  return recording.queries.map((q: CompiledQuery) => q.sql);
}

/** The engine's rule (StepRunner#isTransactional) for a step, without a runner. */
export function isTransactionalStep(
  loaded: LoadedMigration,
  step: MigrationStep,
  adapter: Pick<DialectAdapter, 'findNonTransactionalStatement' | 'scriptTransactions'>,
): boolean {
  if (!loaded.transactional) return false;
  if (step.kind !== 'sql') return true;
  // A statement PostgreSQL refuses in a transaction, or complete BEGIN … COMMIT blocks of the file's
  // own: it runs outside ours, as psql and golang-migrate run it.
  return (
    !adapter.findNonTransactionalStatement(step.sql) && adapter.scriptTransactions(step.sql).kind !== 'own'
  );
}

/** A loaded step of a plan (StepRunner's RunStep, structurally: this file stays below the runner). */
interface LoadedStep {
  readonly source: MigrationSource;
  readonly migration: LoadedMigration;
  readonly direction: Direction;
}

/**
 * A dry run's steps, as the SQL each would send. A step recorded but not run
 * on this dialect (dialect-skip.ts) compiles to no statements and is written
 * in the recording transaction.
 */
export async function compilePlannedSteps(
  steps: readonly LoadedStep[],
  db: AnyKysely,
  adapter: Pick<DialectAdapter, 'findNonTransactionalStatement' | 'scriptTransactions' | 'dialect'>,
): Promise<PlannedStep[]> {
  const planned: PlannedStep[] = [];
  for (const { source, migration, direction } of steps) {
    const step = (direction === 'up' ? migration.up : migration.down)!;
    const skip = dialectSkipNote(source, adapter.dialect) !== undefined;
    planned.push({
      version: source.version,
      name: source.name,
      direction,
      transactional: skip || isTransactionalStep(migration, step, adapter),
      file: step.file,
      statements: skip ? [] : (await compileStatements(step, db)).map((s) => s.trim()),
    });
  }
  return planned;
}

/**
 * Compiles every given migration's `up` without touching a database. Unlike
 * a dry run it ignores the tracking table, so `lint --all` can see migrations
 * that were applied long ago.
 */
export async function compileUpSteps(
  sources: readonly MigrationSource[],
  db: AnyKysely,
  adapter: Pick<DialectAdapter, 'findNonTransactionalStatement' | 'scriptTransactions'>,
): Promise<CompiledUp[]> {
  const compiled: CompiledUp[] = [];
  for (const source of sources) {
    const loaded = await source.load();
    const step = loaded.up;
    compiled.push({
      source,
      file: step.file,
      kind: step.kind,
      transactional: isTransactionalStep(loaded, step, adapter),
      statements: await compileStatements(step, db),
    });
  }
  return compiled;
}
