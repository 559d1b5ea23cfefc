import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkGeneratedTypes } from '../../src/codegen/check-generated-types.ts';
import { migrationsFingerprint } from '../../src/codegen/fingerprint.ts';
import { readFingerprint } from '../../src/codegen/generated-file.ts';
import { parseGeneratedTypes } from '../../src/codegen/parse-generated-types.ts';
import { describeTypeChanges } from '../../src/codegen/type-changes.ts';
import { loadConfig, resolveConfig } from '../../src/config/load-config.ts';
import { runCliInProcess } from '../support/cli.ts';
import { type CodegenProject, codegenProject, FIXTURE, scratchEnv } from './codegen-project.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

const projects: CodegenProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

describe('checkGeneratedTypes (the CI entry point)', () => {
  it('reports missing, current and stale files without writing anything', async () => {
    const p = codegenProject(FIXTURE);
    projects.push(p);
    const config = resolveConfig({}, { cwd: p.root, env: {} });
    const missing = await checkGeneratedTypes(config, { env: scratchEnv() });
    expect(missing).toMatchObject({ upToDate: false, exists: false, outFile: 'generated/db.ts' });
    expect(missing.diff).toContain('+export interface DB {');
    expect(fs.existsSync(p.outFile)).toBe(false);

    fs.mkdirSync(path.dirname(p.outFile));
    fs.writeFileSync(p.outFile, missing.generated!.content);
    // Same migrations and an untouched file: decided from the header, nothing regenerated.
    const current = await checkGeneratedTypes(config, { env: scratchEnv() });
    expect(current).toMatchObject({ upToDate: true, fast: true, exists: true, diff: '' });
    expect(current.generated).toBeUndefined();
    // --full regenerates and compares: the same bytes.
    const full = await checkGeneratedTypes(config, { env: scratchEnv(), full: true });
    expect(full).toMatchObject({ upToDate: true, fast: false });
    expect(full.generated!.content).toBe(missing.generated!.content);

    // A hand edit of the body defeats the fast path even though the migrations did not change.
    fs.writeFileSync(
      p.outFile,
      missing.generated!.content.replace('export interface DB {', 'export interface DB {\n  extra: string;'),
    );
    const edited = await checkGeneratedTypes(config, { env: scratchEnv() });
    expect(edited).toMatchObject({ upToDate: false, fast: false });
    fs.writeFileSync(p.outFile, missing.generated!.content);

    p.write('003_more.up.sql', 'create table more_things (id integer primary key);\n');
    const stale = await checkGeneratedTypes(config, { env: scratchEnv() });
    expect(stale.upToDate).toBe(false);
    expect(stale.diff).toMatch(/^\+export interface MoreThings \{$/m);
  });
});

describe('the repository', () => {
  it('`migrate codegen --check` passes on the committed generated/db.ts with the real migrations', async () => {
    const run = await runCliInProcess(['codegen', '--check', '--full'], { cwd: ROOT, env: scratchEnv() });
    expect(run.stdout + run.stderr).toMatch(/generated\/db\.ts is up to date with the migrations/);
    expect(run.code).toBe(0);
    const config = await loadConfig({ cwd: ROOT, env: {} });
    const committed = fs.readFileSync(config.codegenOutPath, 'utf8');
    expect(readFingerprint(committed)).toBe(await migrationsFingerprint(config));
    expect(committed).not.toMatch(/schema_migrations/);
  });
});

describe('fingerprint', () => {
  it('depends on file names and contents, not on line endings, the folder or the file order on disk', async () => {
    const a = codegenProject(FIXTURE);
    const b = codegenProject(
      Object.fromEntries(
        Object.entries(FIXTURE)
          .reverse()
          .map(([name, text]) => [name, text.replace(/\n/g, '\r\n')]),
      ),
    );
    projects.push(a, b);
    const config = (root: string, table = 'schema_migrations') =>
      resolveConfig({ table }, { cwd: root, env: {} });
    const fa = await migrationsFingerprint(config(a.root));
    expect(fa).toMatch(/^[0-9a-f]{64}$/);
    expect(await migrationsFingerprint(config(b.root))).toBe(fa);
    expect(await migrationsFingerprint(config(a.root, 'other_migrations'))).not.toBe(fa);
    a.write('002_notes.ts', `${FIXTURE['002_notes.ts']}// a comment\n`);
    expect(await migrationsFingerprint(config(a.root))).not.toBe(fa);
  });
});

describe('reading generated files back', () => {
  const before = `export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface Users {
  /**
   * The login.
   */
  email: string;
  "weird-name": number;
}

export interface DB {
  users: Users;
}
`;
  it('parses tables, columns (quoted keys, comments) and aliases', () => {
    const parsed = parseGeneratedTypes(before);
    expect([...parsed.tables.keys()]).toEqual(['users']);
    expect(Object.fromEntries(parsed.tables.get('users')!)).toEqual({
      email: 'string',
      'weird-name': 'number',
    });
    expect(parsed.aliases.get('Timestamp')).toBe('ColumnType<Date, Date | string, Date | string>');
  });

  it('describes added, removed and changed tables and columns', () => {
    const after = `export interface Posts {
}

export interface Users {
  email: string | null;
  nickname: string;
}

export interface DB {
  posts: Posts;
  users: Users;
}
`;
    expect(describeTypeChanges(before, after)).toEqual([
      '+ posts (0 columns)',
      '~ users: email: string → string | null; + nickname: string; - weird-name',
    ]);
    expect(describeTypeChanges(after, after)).toEqual([]);
  });
});
