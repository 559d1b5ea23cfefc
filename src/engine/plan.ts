/**
 * Pure planning: files + tracking rows → what the database looks like and
 * which steps a command would run. No I/O, so every rule is unit-testable.
 */
import {
  AheadOfFolderError,
  type ChangedMigration,
  ChecksumMismatchError,
  DirtyDatabaseError,
  MissingDownError,
  OutOfOrderError,
  UnknownVersionError,
} from './errors.ts';
import type { PlannedRow } from './tracking-store.ts';
import type { MigrationSource, StatusEntry, TrackingRow } from './types.ts';

export interface History {
  /** Every version known from files or rows, in order, with its state. */
  readonly status: StatusEntry[];
  /** Rows whose step did not finish (state running/reverting). */
  readonly dirty: TrackingRow[];
  readonly changed: ChangedMigration[];
  /** Applied rows with no file, in the middle of the folder's range: a deleted file. */
  readonly missing: ChangedMigration[];
  /**
   * Applied rows newer than the newest file: a newer release migrated this
   * database (rolling deploy). Not an error, and never to be forgotten.
   */
  readonly ahead: ChangedMigration[];
  /** Files with no row, in version order. */
  readonly pending: MigrationSource[];
  /** Pending files older than the newest applied row. */
  readonly outOfOrder: MigrationSource[];
  /** Applied rows that have a file, in version order. */
  readonly applied: { source: MigrationSource; row: TrackingRow }[];
  readonly newestApplied: number | undefined;
}

export function analyzeHistory(sources: readonly MigrationSource[], rows: readonly TrackingRow[]): History {
  const byVersion = new Map(sources.map((s) => [s.version, s]));
  const rowByVersion = new Map(rows.map((r) => [r.version, r]));
  const newestApplied = rows.length ? Math.max(...rows.map((r) => r.version)) : undefined;
  const dirty = rows.filter((r) => r.state !== 'applied');
  const changed: ChangedMigration[] = [];
  const missing: ChangedMigration[] = [];
  const ahead: ChangedMigration[] = [];
  const applied: History['applied'] = [];
  const newestFile = sources.length ? Math.max(...sources.map((s) => s.version)) : 0;
  for (const row of rows) {
    const source = byVersion.get(row.version);
    if (!source) {
      const entry = { version: row.version, name: row.name, expected: row.checksum, actual: null };
      if (row.version > newestFile && row.state === 'applied') ahead.push(entry);
      else missing.push(entry);
    } else if (source.checksum !== row.checksum) {
      changed.push({ version: row.version, name: row.name, expected: row.checksum, actual: source.checksum });
      applied.push({ source, row });
    } else applied.push({ source, row });
  }
  const pending = sources.filter((s) => !rowByVersion.has(s.version));
  const outOfOrder = newestApplied === undefined ? [] : pending.filter((s) => s.version < newestApplied);

  const versions = [...new Set([...sources.map((s) => s.version), ...rows.map((r) => r.version)])].sort(
    (a, b) => a - b,
  );
  const changedSet = new Set(changed.map((c) => c.version));
  const aheadSet = new Set(ahead.map((a) => a.version));
  const outOfOrderSet = new Set(outOfOrder.map((s) => s.version));
  const status = versions.map((version): StatusEntry => {
    const row = rowByVersion.get(version);
    const source = byVersion.get(version);
    const state = !row
      ? outOfOrderSet.has(version)
        ? 'out-of-order'
        : 'pending'
      : row.state !== 'applied'
        ? 'dirty'
        : !source
          ? aheadSet.has(version)
            ? 'ahead'
            : 'missing'
          : changedSet.has(version)
            ? 'changed'
            : 'applied';
    return {
      version,
      name: row?.name ?? source?.name ?? '',
      state,
      appliedAt: row?.appliedAt ?? null,
      executionMs: row?.executionMs ?? null,
      appliedBy: row?.appliedBy ?? null,
    };
  });
  return { status, dirty, changed, missing, ahead, pending, outOfOrder, applied, newestApplied };
}

/** Dirty first (it blocks everything), then changed/missing files. */
export function assertRunnable(history: History): void {
  const dirty = history.dirty[0];
  if (dirty) throw new DirtyDatabaseError(dirty.version, dirty.name, dirty.state, dirty.error);
  if (history.changed.length || history.missing.length) {
    throw new ChecksumMismatchError(history.changed, history.missing);
  }
}

/**
 * Before a down: rolling back under migrations this folder does not know
 * (applied by a newer release) would leave them on top of a schema they were
 * not written for. Their down is in the newer release.
 */
export function assertNothingAhead(history: History): void {
  if (history.ahead.length) throw new AheadOfFolderError(history.ahead);
}

/** Pending steps up to `target` (inclusive) or at most `steps` of them. */
export function planUp(
  history: History,
  options: { target?: number; steps?: number; allowOutOfOrder?: boolean } = {},
): MigrationSource[] {
  let steps = history.pending;
  if (options.target !== undefined) steps = steps.filter((s) => s.version <= options.target!);
  if (history.outOfOrder.length && !options.allowOutOfOrder) {
    const planned = new Set(steps);
    const blocking = history.outOfOrder.filter((s) => planned.has(s));
    if (blocking.length) {
      throw new OutOfOrderError(
        blocking.map((s) => ({ version: s.version, name: s.name })),
        history.newestApplied!,
      );
    }
  }
  if (options.steps !== undefined) steps = steps.slice(0, options.steps);
  return steps;
}

/**
 * Applied migrations to roll back, newest first: down to (not including)
 * `target`, or `steps` of them (default 1). Every one must have a file.
 */
export function planDown(
  history: History,
  options: { target?: number; steps?: number } = {},
): MigrationSource[] {
  const newestFirst = [...history.applied].reverse();
  const chosen =
    options.target !== undefined
      ? newestFirst.filter((a) => a.source.version > options.target!)
      : newestFirst.slice(0, options.steps ?? 1);
  return chosen.map((a) => a.source);
}

/** Fails before anything runs when a chosen migration has no down step. */
export async function assertDownsExist(steps: readonly MigrationSource[]): Promise<void> {
  for (const source of steps) {
    const loaded = await source.load();
    if (!loaded.down) throw new MissingDownError(source.version, source.files.join(', '));
  }
}

/** `to <version>`: the version must be 0 or a known migration. */
export function resolveTarget(
  history: History,
  sources: readonly MigrationSource[],
  version: number,
): number {
  if (version === 0 || sources.some((s) => s.version === version)) return version;
  const known = history.status.map((s) => s.version);
  throw new UnknownVersionError(
    String(version),
    `is not a migration in the folder${known.length ? ` (known: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''}; use 0 to roll everything back`,
  );
}

/** The rows a plan expects after one of its own steps: an up adds the row, a down removes it. */
export function afterStep(
  rows: readonly PlannedRow[],
  step: { source: Pick<MigrationSource, 'version' | 'name' | 'checksum'>; direction: 'up' | 'down' },
): PlannedRow[] {
  const rest = rows.filter((r) => r.version !== step.source.version);
  if (step.direction === 'down') return rest;
  const { version, name, checksum } = step.source;
  return [...rest, { version, name, checksum, state: 'applied' as const }].sort(
    (a, b) => a.version - b.version,
  );
}

/** What differs between the rows a plan expected and the rows found, in words (`3_add_email applied`). */
export function describeChanges(expected: readonly PlannedRow[], found: readonly PlannedRow[]): string[] {
  const before = new Map(expected.map((r) => [r.version, r]));
  const after = new Map(found.map((r) => [r.version, r]));
  const versions = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  const changes: string[] = [];
  for (const version of versions) {
    const was = before.get(version);
    const is = after.get(version);
    if (!was && is) changes.push(`${version}_${is.name} ${is.state === 'applied' ? 'applied' : is.state}`);
    else if (was && !is) changes.push(`${version}_${was.name} rolled back`);
    else if (was && is && was.state !== is.state) changes.push(`${version}_${is.name} now ${is.state}`);
    else if (was && is && (was.checksum !== is.checksum || was.name !== is.name))
      changes.push(`${version}_${is.name} recorded from another file`);
  }
  return changes;
}
