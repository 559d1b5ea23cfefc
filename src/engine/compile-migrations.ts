import type { CompiledQuery } from 'kysely';
import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import { createRecordingKysely } from './recording-kysely.ts';
import type { MigrationSource } from './types.ts';

/** One migration's `up`, as the SQL it would send, whatever its state in a database. */
export interface CompiledUp {
  readonly source: MigrationSource;
  /** The file the step came from, relative to the migrations folder. */
  readonly file: string;
  readonly kind: 'sql' | 'code';
  /** Decided the way the engine decides it when running (see Migrator#isTransactional). */
  readonly transactional: boolean;
  /**
   * SQL steps: the step's script text, once. Code steps: each query the module
   * sent, compiled with `db`'s dialect.
   */
  readonly statements: string[];
}

/**
 * Compiles every given migration's `up` without touching a database: SQL
 * steps as written, TypeScript modules through a recording Kysely (the same
 * mechanism as --dry-run). Unlike a dry run it ignores the tracking table, so
 * `lint --all` can see migrations that were applied long ago. Modules that read
 * rows get no rows back, so data-dependent branches compile as for an empty table.
 */
export async function compileUpSteps(
  sources: readonly MigrationSource[],
  db: AnyKysely,
  adapter: Pick<DialectAdapter, 'findNonTransactionalStatement'>,
): Promise<CompiledUp[]> {
  const compiled: CompiledUp[] = [];
  for (const source of sources) {
    const loaded = await source.load();
    const step = loaded.up;
    if (step.kind === 'sql') {
      compiled.push({
        source,
        file: step.file,
        kind: 'sql',
        transactional: loaded.transactional && !adapter.findNonTransactionalStatement(step.sql),
        statements: [step.sql],
      });
      continue;
    }
    const recording = createRecordingKysely(db);
    await step.run(recording.db);
    compiled.push({
      source,
      file: step.file,
      kind: 'code',
      transactional: loaded.transactional,
      statements: recording.queries.map((q: CompiledQuery) => q.sql),
    });
  }
  return compiled;
}
