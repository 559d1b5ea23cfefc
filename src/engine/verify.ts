import { snapshotOptions } from './drift.ts';
import { MigrationFailedError, oneLine } from './errors.ts';
import {
  type DifferenceWording,
  diffSnapshots,
  formatDifference,
  type SchemaDifference,
} from './schema-diff.ts';
import {
  onScratch,
  type ScratchHandle,
  type ScratchMigratorSettings,
  scratchMigrator,
} from './scratch-build.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

/** What verify found wrong with one migration. */
export type VerifyFinding =
  | { readonly kind: 'missing-down'; readonly version: number; readonly name: string; readonly file: string }
  /** After the down, the schema is not what it was before the up. */
  | {
      readonly kind: 'not-reversible';
      readonly version: number;
      readonly name: string;
      readonly differences: readonly SchemaDifference[];
    }
  | {
      readonly kind: 'down-failed';
      readonly version: number;
      readonly name: string;
      readonly message: string;
    }
  /** The up failed when run again after the down. */
  | {
      readonly kind: 'reapply-failed';
      readonly version: number;
      readonly name: string;
      readonly message: string;
    }
  /** Up, down, up again built another schema than the first up. */
  | {
      readonly kind: 'reapply-differs';
      readonly version: number;
      readonly name: string;
      readonly differences: readonly SchemaDifference[];
    };

export type VerifyOutcome = 'reversible' | 'no down' | 'failed';

export interface VerifyEvent {
  readonly version: number;
  readonly name: string;
  readonly outcome: VerifyOutcome;
}

export interface VerifyInput {
  /** An empty database; never the configured one. */
  readonly scratch: ScratchHandle;
  readonly sources: readonly MigrationSource[];
  readonly table: TrackingTable;
  readonly schemas: readonly string[];
  readonly settings?: ScratchMigratorSettings;
  readonly onEvent?: (event: VerifyEvent) => void;
}

export interface VerifyReport {
  readonly schemas: readonly string[];
  /** Migrations whose up ran. */
  readonly checked: number;
  readonly total: number;
  readonly findings: readonly VerifyFinding[];
}

/** In verify, "added" is what the down left behind and "removed" what it dropped too much. */
export const VERIFY_WORDING: DifferenceWording = {
  added: 'left behind by the down',
  removed: 'existed before the up, gone after the down',
};

/**
 * Reversibility: on the scratch database, applies each migration in turn,
 * then its down, then its up again, and checks that the schema after the
 * down equals the schema before the up (and that the second up builds what
 * the first did). Stops at the first migration that does not reverse: what
 * follows would be checked on a schema no real database has. A missing down
 * is a finding too, but the check goes on past it.
 */
export async function verifyMigrations(input: VerifyInput): Promise<VerifyReport> {
  // Every file is loaded (and so validated) before anything runs.
  const loaded = await Promise.all(input.sources.map((s) => s.load()));
  const options = snapshotOptions(input.schemas, input.table);
  // Reported as the dialect names them (SQLite: `main`).
  let schemas: readonly string[] = options.schemas;
  const snapshot = async () => {
    const taken = await input.scratch.adapter.snapshotSchema(input.scratch.db, options);
    schemas = taken.schemas;
    return taken;
  };
  const migrator = scratchMigrator(input.scratch, {
    sources: input.sources,
    table: input.table,
    ...(input.settings ? { settings: input.settings } : {}),
  });
  const findings: VerifyFinding[] = [];
  let checked = 0;
  const report = (): VerifyReport => ({
    schemas,
    checked,
    total: input.sources.length,
    findings,
  });

  // The schema after one migration is the "before" of the next: three snapshots per migration.
  let current = await snapshot();
  for (const [i, source] of input.sources.entries()) {
    const { version, name } = source;
    const before = current;
    // An up that fails on a fresh database is a broken migration: ScratchBuildError, exit 1.
    await onScratch(input.scratch, () => migrator.up({ target: version }));
    checked++;
    const afterUp = await snapshot();
    current = afterUp;
    if (!loaded[i]!.down) {
      findings.push({ kind: 'missing-down', version, name, file: source.files.join(', ') });
      input.onEvent?.({ version, name, outcome: 'no down' });
      continue;
    }
    const failed = (finding: VerifyFinding): VerifyReport => {
      findings.push(finding);
      input.onEvent?.({ version, name, outcome: 'failed' });
      return report();
    };
    try {
      await migrator.down({ steps: 1 });
    } catch (error) {
      if (error instanceof MigrationFailedError)
        return failed({ kind: 'down-failed', version, name, message: failure(error) });
      throw error;
    }
    const differences = diffSnapshots(before, await snapshot());
    if (differences.length) return failed({ kind: 'not-reversible', version, name, differences });
    try {
      await migrator.up({ target: version });
    } catch (error) {
      if (error instanceof MigrationFailedError)
        return failed({ kind: 'reapply-failed', version, name, message: failure(error) });
      throw error;
    }
    current = await snapshot();
    const again = diffSnapshots(afterUp, current);
    if (again.length) return failed({ kind: 'reapply-differs', version, name, differences: again });
    input.onEvent?.({ version, name, outcome: 'reversible' });
  }
  return report();
}

/** A finding as readable lines: a headline naming the migration, then one line per difference. */
export function describeFinding(f: VerifyFinding): string[] {
  const label = `${f.version}_${f.name}`;
  switch (f.kind) {
    case 'missing-down':
      return [`${label} has no down (${f.file}), so it cannot be rolled back; add one`];
    case 'down-failed':
      return [`${label} does not reverse: its down failed: ${oneLine(f.message)}`];
    case 'reapply-failed':
      return [`${label} cannot be applied again after its down: ${oneLine(f.message)}`];
    case 'not-reversible':
      return [
        `${label} does not reverse: after its down the schema differs from before its up (${count(f.differences)}):`,
        ...f.differences.map((d) => `  ${formatDifference(d, VERIFY_WORDING)}`),
      ];
    case 'reapply-differs':
      return [
        `${label} builds another schema when applied again after its down (${count(f.differences)}; ~ first up → second up):`,
        ...f.differences.map(
          (d) =>
            `  ${formatDifference(d, { added: 'only after the second up', removed: 'only after the first up' })}`,
        ),
      ];
  }
}

/** `file:line: database message`, without the run-again advice meant for a real database. */
function failure(error: MigrationFailedError): string {
  const where = error.line ? `${error.file}:${error.line}` : error.file;
  return `${where}: ${oneLine(error.databaseMessage)}`;
}

function count(differences: readonly SchemaDifference[]): string {
  return `${differences.length} difference${differences.length === 1 ? '' : 's'}`;
}
