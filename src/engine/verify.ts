import { dialectSkipNote } from './dialect-skip.ts';
import { snapshotOptions } from './drift.ts';
import { MigrationFailedError, oneLine } from './errors.ts';
import type { Migrator } from './migrator.ts';
import type { RepeatableSource } from './repeatable-types.ts';
import {
  type DifferenceWording,
  diffSnapshots,
  formatDifference,
  type SchemaDifference,
} from './schema-diff.ts';
import type { SchemaSnapshot } from './schema-snapshot.ts';
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
    }
  /**
   * A repeatable migration (version 0, `name` its id R__…) failed after the
   * versioned ones (`again`: when applied a second time on top of itself, as
   * every edit of it will be).
   */
  | {
      readonly kind: 'repeatable-failed';
      readonly version: 0;
      readonly name: string;
      readonly again: boolean;
      readonly message: string;
    }
  /** Applying the repeatables a second time on top of themselves built another schema. */
  | {
      readonly kind: 'repeatable-rerun-differs';
      readonly version: 0;
      readonly name: string;
      readonly differences: readonly SchemaDifference[];
    };

export type VerifyOutcome = 'reversible' | 'no down' | 'failed' | 'not for this dialect';

export interface VerifyEvent {
  readonly version: number;
  readonly name: string;
  readonly outcome: VerifyOutcome;
}

export interface VerifyInput {
  /** An empty database; never the configured one. */
  readonly scratch: ScratchHandle;
  readonly sources: readonly MigrationSource[];
  /** Checked after the versioned ones: they apply, and apply again on top of themselves to the same schema. */
  readonly repeatables?: readonly RepeatableSource[];
  readonly table: TrackingTable;
  readonly schemas: readonly string[];
  readonly settings?: ScratchMigratorSettings;
  readonly onEvent?: (event: VerifyEvent) => void;
  /**
   * Closes the scratch database and opens an empty one, so the check can go
   * on after a down that does not reverse; without it verify stops there.
   */
  readonly reopen?: () => Promise<ScratchHandle>;
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
 * the first did). Every finding is reported, not only the first: after a
 * migration that does not reverse the check goes on from a known state (a
 * failed down rolled back; a down that left something behind is followed by
 * a fresh scratch database built up to that migration, when `reopen` is
 * given). It stops only when no such state exists: the up cannot be applied
 * again after its down, or a non-transactional down left the scratch dirty.
 * A missing down is a finding too.
 */
export async function verifyMigrations(input: VerifyInput): Promise<VerifyReport> {
  // Every file is loaded (and so validated) before anything runs.
  const loaded = await Promise.all(input.sources.map((s) => s.load()));
  const options = snapshotOptions(input.schemas, input.table);
  // Reported as the dialect names them (SQLite: `main`).
  let schemas: readonly string[] = options.schemas;
  let scratch = input.scratch;
  const snapshot = async () => {
    const taken = await scratch.adapter.snapshotSchema(scratch.db, options);
    schemas = taken.schemas;
    return taken;
  };
  const newMigrator = () =>
    scratchMigrator(scratch, {
      sources: input.sources,
      table: input.table,
      ...(input.settings ? { settings: input.settings } : {}),
    });
  let migrator = newMigrator();
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
    await onScratch(scratch, () => migrator.up({ target: version }));
    checked++;
    const afterUp = await snapshot();
    current = afterUp;
    if (dialectSkipNote(source, input.scratch.adapter.dialect) !== undefined) {
      // Recorded, not run, on this dialect: nothing to reverse here; verify it on its own dialect.
      input.onEvent?.({ version, name, outcome: 'not for this dialect' });
      continue;
    }
    if (!loaded[i]!.down) {
      findings.push({ kind: 'missing-down', version, name, file: source.files.join(', ') });
      input.onEvent?.({ version, name, outcome: 'no down' });
      continue;
    }
    const failed = (finding: VerifyFinding): void => {
      findings.push(finding);
      input.onEvent?.({ version, name, outcome: 'failed' });
    };
    try {
      await migrator.down({ steps: 1 });
    } catch (error) {
      if (!(error instanceof MigrationFailedError)) throw error;
      failed({ kind: 'down-failed', version, name, message: failure(error) });
      // A transactional down rolled back: the schema is the one after the up, so the next can be checked.
      if (!error.details.rolledBack) return report();
      continue;
    }
    const differences = diffSnapshots(before, await snapshot());
    if (differences.length) {
      failed({ kind: 'not-reversible', version, name, differences });
      // What the down left behind is unknown to the migrations after it: go on from a fresh
      // scratch database with everything up to this migration applied, or stop without one.
      if (!input.reopen) return report();
      scratch = await input.reopen();
      migrator = newMigrator();
      await onScratch(scratch, () => migrator.up({ target: version }));
      current = await snapshot();
      continue;
    }
    try {
      await migrator.up({ target: version });
    } catch (error) {
      if (!(error instanceof MigrationFailedError)) throw error;
      // The migration is not applied now, so the ones after it cannot be checked.
      failed({ kind: 'reapply-failed', version, name, message: failure(error) });
      return report();
    }
    current = await snapshot();
    const again = diffSnapshots(afterUp, current);
    if (again.length) {
      failed({ kind: 'reapply-differs', version, name, differences: again });
      continue;
    }
    input.onEvent?.({ version, name, outcome: 'reversible' });
  }
  if (input.repeatables?.length) {
    const repeatables = scratchMigrator(scratch, {
      sources: input.sources,
      repeatables: input.repeatables,
      table: input.table,
      ...(input.settings ? { settings: input.settings } : {}),
    });
    findings.push(...(await verifyRepeatables(repeatables, snapshot)));
  }
  return report();
}

/**
 * Repeatables have no down; their contract is to run again on top of
 * themselves (every edit does that). So, after the versioned migrations:
 * apply them all, then mark them outdated and apply them again; the second
 * run must succeed and build the same schema.
 */
async function verifyRepeatables(
  migrator: Migrator,
  snapshot: () => Promise<SchemaSnapshot>,
): Promise<VerifyFinding[]> {
  const applyAll = async (again: boolean): Promise<VerifyFinding | undefined> => {
    try {
      await migrator.latest();
      return undefined;
    } catch (error) {
      if (!(error instanceof MigrationFailedError)) throw error;
      return {
        kind: 'repeatable-failed',
        version: 0,
        name: error.migrationName,
        again,
        message: failure(error),
      };
    }
  };
  const first = await applyAll(false);
  if (first) return [first];
  const once = await snapshot();
  await migrator.outdateRepeatables();
  const second = await applyAll(true);
  if (second) return [second];
  const differences = diffSnapshots(once, await snapshot());
  return differences.length
    ? [{ kind: 'repeatable-rerun-differs', version: 0, name: 'repeatables', differences }]
    : [];
}

/** A finding as readable lines: a headline naming the migration, then one line per difference. */
export function describeFinding(f: VerifyFinding): string[] {
  const label = `${f.version}_${f.name}`;
  switch (f.kind) {
    case 'repeatable-failed':
      return [
        f.again
          ? `${f.name} fails when applied again on top of itself (as every edit of it will be; write create or replace, drop … if exists): ${oneLine(f.message)}`
          : `${f.name} fails after the versioned migrations: ${oneLine(f.message)}`,
      ];
    case 'repeatable-rerun-differs':
      return [
        `the repeatable migrations build another schema when applied again on top of themselves (${count(f.differences)}; ~ first → second):`,
        ...f.differences.map(
          (d) =>
            `  ${formatDifference(d, { added: 'only after the second run', removed: 'only after the first' })}`,
        ),
      ];
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
