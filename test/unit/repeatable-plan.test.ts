import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/engine/errors.ts';
import { planRepeatables, repeatablesDigest } from '../../src/engine/repeatable-plan.ts';
import type { RepeatableRow, RepeatableSource } from '../../src/engine/repeatable-types.ts';
import { FileMigrationProvider } from '../../src/sources/file-migration-provider.ts';
import {
  formatRepeatableId,
  parseMigrationName,
  parseRepeatableName,
} from '../../src/sources/migration-name.ts';

function source(id: string, checksum: string, dialects?: string[]): RepeatableSource {
  return {
    id,
    name: id.slice(3),
    file: `${id}.sql`,
    kind: 'sql',
    checksum,
    ...(dialects ? { dialects } : {}),
    load: async () => ({ kind: 'sql', file: `${id}.sql`, sql: 'select 1' }),
  };
}

function row(id: string, checksum: string): RepeatableRow {
  return { id, checksum, appliedAt: new Date(0), executionMs: 1, appliedBy: 'test' };
}

/** An in-memory folder (the provider's I/O is injected). */
function provider(files: Record<string, string>, modules: Record<string, unknown> = {}) {
  return new FileMigrationProvider({
    migrationFolder: '/m',
    fs: {
      readdir: (async () => Object.keys(files)) as never,
      readFile: (async (p: string) => Buffer.from(files[String(p).replace('/m/', '')] ?? '')) as never,
    },
    importModule: async (p) => modules[p.replace('/m/', '')],
  });
}

describe('repeatable names', () => {
  it('R__<description>.sql/.ts are repeatables, ignored by the versioned loader; other odd names stay errors', () => {
    expect(parseRepeatableName('R__active_users.sql')).toEqual({
      description: 'active_users',
      id: 'R__active_users',
      kind: 'sql',
    });
    expect(parseRepeatableName('R__audit-fn.ts')).toMatchObject({ id: 'R__audit-fn', kind: 'module' });
    expect(parseMigrationName('R__active_users.sql')).toEqual({ ok: false, ignored: true });
    for (const bad of ['R__x.up.sql', 'R_x.sql', 'R__.sql', 'r__x.sql'])
      expect(parseMigrationName(bad), bad).toMatchObject({ ok: false, ignored: false });
    expect(formatRepeatableId('Active users!')).toBe('R__active_users');
  });
});

describe('planRepeatables', () => {
  it('pending, applied, outdated (changed or emptied by a rollback), missing; applies due ones in code-unit order', () => {
    const plan = planRepeatables(
      [source('R__b', 'new'), source('R__B', 'x'), source('R__a', 'same'), source('R__c', 'c')],
      [row('R__a', 'same'), row('R__b', 'old'), row('R__c', ''), row('R__gone', 'g')],
      'postgres',
    );
    expect(plan.status.map((s) => [s.id, s.state])).toEqual([
      ['R__B', 'pending'],
      ['R__a', 'applied'],
      ['R__b', 'outdated'],
      ['R__c', 'outdated'],
      ['R__gone', 'missing'],
    ]);
    expect(plan.toApply.map((t) => [t.source.id, t.reason])).toEqual([
      ['R__B', 'pending'],
      ['R__b', 'outdated'],
      ['R__c', 'outdated'],
    ]);
    // What the lock's guard compares with: the row as planned, so a run that applied it meanwhile is seen.
    expect(plan.toApply.map((t) => t.plannedChecksum)).toEqual(['', 'old', '']);
  });

  it('notes a repeatable for another dialect; the digest ignores row order', () => {
    const plan = planRepeatables([source('R__p', 'p', ['postgres'])], [], 'sqlite');
    expect(plan.status[0]!.note).toBe('postgres only: recorded, not run, on sqlite');
    expect(repeatablesDigest([row('R__a', '1'), row('R__b', '2')])).toBe(
      repeatablesDigest([row('R__b', '2'), row('R__a', '1')]),
    );
  });
});

describe('FileMigrationProvider.loadRepeatables', () => {
  it('reads them in name order, checksummed; versioned loading ignores them', async () => {
    const p = provider({
      '001_a.up.sql': 'select 1;',
      'R__b.sql': 'create view b as select 1;\r\n',
      'R__a.ts': 'export async function up() {}',
    });
    expect((await p.loadSources()).map((s) => s.id)).toEqual(['001_a']);
    const repeatables = await p.loadRepeatables();
    expect(repeatables.map((r) => [r.id, r.kind, r.file])).toEqual([
      ['R__a', 'ts', 'R__a.ts'],
      ['R__b', 'sql', 'R__b.sql'],
    ]);
    expect(repeatables[1]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses one id in two formats, an empty file, a down export and transaction = false (MigrationFileError)', async () => {
    await expect(provider({ 'R__x.sql': 'select 1;', 'R__x.ts': '' }).loadRepeatables()).rejects.toThrow(
      /R__x\.ts: repeatable R__x is also R__x\.sql/,
    );
    await expect(provider({ 'R__x.sql': '  \n' }).loadRepeatables()).rejects.toThrow(MigrationFileError);
    const [withDown] = await provider(
      { 'R__d.ts': '' },
      { 'R__d.ts': { up: async () => undefined, down: async () => undefined } },
    ).loadRepeatables();
    await expect(withDown!.load()).rejects.toThrow(/exports a `down`/);
    const [noTx] = await provider(
      { 'R__t.ts': '' },
      { 'R__t.ts': { up: async () => undefined, transaction: false } },
    ).loadRepeatables();
    await expect(noTx!.load()).rejects.toThrow(/always runs in a transaction/);
  });
});
