import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnknownVersionError } from '../../src/engine/errors.ts';
import {
  HistoryImportError,
  planGolangMigrateImport,
  planSupabaseImport,
} from '../../src/engine/history-import.ts';
import {
  afterStep,
  analyzeHistory,
  describeChanges,
  planDown,
  planUp,
  resolveTarget,
} from '../../src/engine/plan.ts';
import { historyDigest, type PlannedRow } from '../../src/engine/tracking-store.ts';
import type { MigrationSource, TrackingRow } from '../../src/engine/types.ts';

/**
 * The pure core against a small model of the tracking table: files are
 * versions with a checksum, the table is the rows the model's own ups and
 * downs leave. No database: every rule of planning is checked here.
 */
function source(version: number, checksum = `c${version}`): MigrationSource {
  return {
    version,
    name: `m${version}`,
    id: `${version}_m${version}`,
    files: [`${version}_m${version}.sql`],
    kind: 'sql',
    checksum,
    load: async () => ({ transactional: true, up: { kind: 'sql', file: `${version}.sql`, sql: '' } }),
  };
}

function row(s: Pick<MigrationSource, 'version' | 'name' | 'checksum'>): TrackingRow {
  return {
    version: s.version,
    name: s.name,
    checksum: s.checksum,
    state: 'applied',
    appliedAt: new Date(0),
    executionMs: 0,
    appliedBy: 'model',
    error: null,
  };
}

/** Distinct sorted versions, and how many of the oldest are applied. */
const folder = fc
  .uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 25 })
  .map((vs) => vs.sort((a, b) => a - b).map((v) => source(v)))
  .chain((sources) => fc.tuple(fc.constant(sources), fc.integer({ min: 0, max: sources.length })));

describe('analyzeHistory + planUp/planDown on a model of the tracking table', () => {
  it('pending and applied partition the files; status lists every version once, in order', () => {
    fc.assert(
      fc.property(folder, ([sources, n]) => {
        const rows = sources.slice(0, n).map(row);
        const h = analyzeHistory(sources, rows);
        expect(h.applied.map((a) => a.source.version)).toEqual(sources.slice(0, n).map((s) => s.version));
        expect(h.pending.map((s) => s.version)).toEqual(sources.slice(n).map((s) => s.version));
        expect(h.status.map((e) => e.version)).toEqual(sources.map((s) => s.version));
        expect(h.newestApplied).toBe(n ? sources[n - 1]!.version : undefined);
        expect(h.dirty).toEqual([]);
        expect(h.outOfOrder).toEqual([]);
      }),
    );
  });

  it('latest then `down --step k` then latest: the model ends where it started, and each plan is ordered', () => {
    fc.assert(
      fc.property(folder, fc.nat(30), ([sources, n], k) => {
        let rows: PlannedRow[] = sources.slice(0, n).map(row);
        const history = () => analyzeHistory(sources, rows as TrackingRow[]);
        const ups = planUp(history());
        expect(ups.map((s) => s.version)).toEqual([...ups.map((s) => s.version)].sort((a, b) => a - b));
        for (const s of ups) rows = afterStep(rows, { source: s, direction: 'up' });
        const full = historyDigest(rows);
        expect(full).toBe(historyDigest(sources.map(row)));
        expect(planUp(history())).toEqual([]);

        const downs = planDown(history(), { steps: k });
        expect(downs.map((s) => s.version)).toEqual(
          sources
            .slice(Math.max(0, sources.length - k))
            .reverse()
            .map((s) => s.version),
        );
        for (const s of downs) rows = afterStep(rows, { source: s, direction: 'down' });
        expect(rows.length).toBe(sources.length - downs.length);
        for (const s of planUp(history())) rows = afterStep(rows, { source: s, direction: 'up' });
        expect(historyDigest(rows)).toBe(full);
      }),
    );
  });

  it('planDown to a target keeps exactly the versions at or below it; planUp to a target stops there', () => {
    fc.assert(
      fc.property(folder, fc.integer({ min: 0, max: 500 }), ([sources, n], target) => {
        const rows = sources.slice(0, n).map(row);
        const h = analyzeHistory(sources, rows);
        const kept = rows.filter((r) => !planDown(h, { target }).some((s) => s.version === r.version));
        expect(kept.every((r) => r.version <= target)).toBe(true);
        expect(kept.length).toBe(rows.filter((r) => r.version <= target).length);
        expect(planUp(h, { target }).every((s) => s.version <= target)).toBe(true);
      }),
    );
  });

  it('a gap below the newest applied is out of order: refused unless allowed', () => {
    const sources = [source(1), source(2), source(3)];
    const h = analyzeHistory(sources, [row(sources[0]!), row(sources[2]!)]);
    expect(h.outOfOrder.map((s) => s.version)).toEqual([2]);
    expect(() => planUp(h)).toThrow(/older than the newest applied migration 3/);
    expect(planUp(h, { allowOutOfOrder: true }).map((s) => s.version)).toEqual([2]);
  });

  it('an edited applied file is `changed`, a running row is dirty', () => {
    const sources = [source(1), source(2, 'edited')];
    const h = analyzeHistory(sources, [row(source(1)), { ...row(source(2)), state: 'running' }]);
    expect(h.changed.map((c) => [c.version, c.expected, c.actual])).toEqual([[2, 'c2', 'edited']]);
    expect(h.dirty.map((r) => r.version)).toEqual([2]);
    expect(h.status.map((e) => e.state)).toEqual(['applied', 'dirty']);
  });
});

describe('history digest and the description of a change', () => {
  const rowsArb = fc
    .uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 10 })
    .map((vs) => vs.map((v) => row(source(v))) as PlannedRow[]);

  it('the digest ignores row order and changes with any row; describeChanges is empty exactly when digests match', () => {
    fc.assert(
      fc.property(rowsArb, rowsArb, (a, b) => {
        expect(historyDigest([...a].reverse())).toBe(historyDigest(a));
        const same = historyDigest(a) === historyDigest(b);
        expect(describeChanges(a, b).length === 0).toBe(same);
      }),
    );
  });

  it('names what another process did', () => {
    const before = [row(source(1)), row(source(2))];
    expect(describeChanges(before, [...before, row(source(3))])).toEqual(['3_m3 applied']);
    expect(describeChanges(before, [before[0]!])).toEqual(['2_m2 rolled back']);
    expect(describeChanges(before, [before[0]!, { ...before[1]!, state: 'running' }])).toEqual([
      '2_m2 now running',
    ]);
    expect(describeChanges(before, [before[0]!, row(source(2, 'other'))])).toEqual([
      '2_m2 recorded from another file',
    ]);
  });
});

describe('resolveTarget', () => {
  it('accepts 0 and known versions, refuses the rest naming the known ones', () => {
    fc.assert(
      fc.property(folder, fc.integer({ min: 0, max: 600 }), ([sources, n], version) => {
        const h = analyzeHistory(sources, sources.slice(0, n).map(row));
        if (version === 0 || sources.some((s) => s.version === version))
          expect(resolveTarget(h, sources, version)).toBe(version);
        else expect(() => resolveTarget(h, sources, version)).toThrow(UnknownVersionError);
      }),
    );
  });
});

describe('import planning', () => {
  const sources = [source(1), source(2), source(3)];

  it('golang-migrate: everything up to its version is applied; dirty records that version as running', () => {
    expect(
      planGolangMigrateImport(sources, [{ version: 2, dirty: false }], 't').applied.map((s) => s.version),
    ).toEqual([1, 2]);
    const dirty = planGolangMigrateImport(sources, [{ version: 2, dirty: true }], 't');
    expect(dirty.applied.map((s) => s.version)).toEqual([1]);
    expect(dirty.dirty?.source.version).toBe(2);
    expect(() => planGolangMigrateImport(sources, [], 't')).toThrow(HistoryImportError);
    expect(() => planGolangMigrateImport(sources, [{ version: 9, dirty: false }], 't')).toThrow(
      /no migration file has that version/,
    );
  });

  it('supabase: any order of its rows gives the same plan; a gap or an unknown version is refused', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3], { minLength: 3, maxLength: 3 }), (order) => {
        const plan = planSupabaseImport(
          sources,
          order.map((v) => ({ version: String(v), name: `m${v}` })),
        );
        expect(plan.applied.map((s) => s.version)).toEqual([1, 2, 3]);
      }),
    );
    expect(() => planSupabaseImport(sources, [{ version: '3', name: null }])).toThrow(/a gap/);
    expect(() => planSupabaseImport(sources, [{ version: '4', name: null }])).toThrow(
      /has no migration file/,
    );
    expect(() => planSupabaseImport(sources, [{ version: '1', name: 'other' }])).toThrow(/rename the file/);
  });
});
