import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableExists, trackingRows } from '../support/migration-folder.ts';

/**
 * #13 (cold start in a project): the bin imports a kysely.config.ts that
 * imports only this package without Node's module-hooks thread (compiled once,
 * cached by its text). What a user must see: the config means exactly what it
 * says — `import.meta.url` is the config's own, an edit takes effect on the
 * next run — and a config that imports anything else still loads (through the
 * TypeScript loader). And a reader that goes away (`status | head`) ends the
 * output, never the run: no stack trace, exit 0 only when the work was done.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'kmigrate.cjs');
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-config-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

/** The package bin in `cwd`; `closeStdoutAfter`: the reader goes away after that many bytes. */
function bin(
  args: string[],
  cwd: string,
  closeStdoutAfter?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', KMIGRATE_NO_CODEGEN: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (closeStdoutAfter !== undefined && stdout.length >= closeStdoutAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The configs compiled for import without the loader (its cache folder, bin/ts-hooks.mjs). */
function compiledConfigs(): string[] {
  const dir = path.join(os.tmpdir(), `kmigrate-ts-cache-${process.getuid?.() ?? 'user'}`);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.config.mjs'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

const migrations = (n: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `db/migrations/00${i + 1}_t${i + 1}.up.sql`,
      `create table t${i + 1} (id integer);\n`,
    ]),
  );

describeEachDialect('a TypeScript config loaded by the bin', (ctx) => {
  it('imports only `kmigrate`: its own import.meta.url, its own table; an edit takes effect on the next run', async () => {
    const config = (table: string, dir: string) => `import { fileURLToPath } from 'node:url';
import { defineConfig } from 'kmigrate';

type Table = '${table}';
const table: Table = '${table}';
export default defineConfig({ migrationsDir: fileURLToPath(new URL('./db/${dir}', import.meta.url)), table });
`;
    const root = project({
      'kysely.config.ts': config('deploy_log', 'migrations'),
      ...migrations(2),
      'db/other/001_u1.up.sql': 'create table u1 (id integer);\n',
    });
    const first = await bin(['latest', '--url', ctx.database.url], root);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await trackingRows(ctx.database, 'deploy_log')).map((r) => r.version)).toEqual([1, 2]);
    // It went the quick way: its compiled form is in the cache, `kmigrate` pointing at the bundle.
    // (Found by this project's own path: `import.meta.url` is compiled in as the config's URL.)
    const compiled = compiledConfigs().find((text) => text.includes(pathToFileURL(root).href));
    expect(compiled).toMatch(/from "file:\/\/.*\/dist\/bundle\/index\.mjs"/);
    // The config changed (another table, another folder): read from the new text, not a cached compile.
    fs.writeFileSync(path.join(root, 'kysely.config.ts'), config('other_log', 'other'));
    const second = await bin(['latest', '--url', ctx.database.url], root);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect((await trackingRows(ctx.database, 'other_log')).map((r) => r.version)).toEqual([1]);
    expect(await tableExists(ctx.database, 'u1')).toBe(true);
  });

  it('imports a helper file of its own: loaded through the TypeScript loader, as before', async () => {
    const root = project({
      'kysely.config.ts': `import { defineConfig } from 'kmigrate';
import { migrationsDir } from './settings.ts';
// A folder, meaning its index.ts (as tsx and kysely-ctl read it): Node itself refuses folder imports.
import { label } from './db';
// import.meta.url, so that a compiled form of this config would name this folder.
export default defineConfig({ migrationsDir, table: import.meta.url ? label : 'never' });
`,
      'settings.ts': `export const migrationsDir: string = 'db/migrations';\n`,
      'db/index.ts': `export const label: string = 'helper_log';\n`,
      ...migrations(2),
    });
    const run = await bin(['latest', '--url', ctx.database.url], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await trackingRows(ctx.database, 'helper_log')).map((r) => r.version)).toEqual([1, 2]);
    expect(compiledConfigs().some((text) => text.includes(pathToFileURL(root).href))).toBe(false);
  });

  it("TypeScript migrations import through tsconfig.json's paths and baseUrl (with comments and trailing commas), as tsc and tsx read them", async () => {
    const root = project({
      'tsconfig.json': `{
  // as in a Next.js or NestJS app
  "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["src/*"], }, },
}
`,
      'kysely.config.ts': `export default { migrationsDir: 'db/migrations' };\n`,
      'src/db/names.ts': `export const first: string = 'aliased_a';\nexport const second: string = 'aliased_b';\n`,
      'db/migrations/001_a.ts': `import { first } from '@/db/names';
export async function up(db: any): Promise<void> {
  await db.schema.createTable(first).addColumn('id', 'integer').execute();
}
`,
      'db/migrations/002_b.ts': `import { second } from 'src/db/names.js';
export async function up(db: any): Promise<void> {
  await db.schema.createTable(second).addColumn('id', 'integer').execute();
}
`,
    });
    const run = await bin(['latest', '--url', ctx.database.url], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1, 2]);
    expect(await tableExists(ctx.database, 'aliased_a')).toBe(true);
    expect(await tableExists(ctx.database, 'aliased_b')).toBe(true);
  });

  it('a reader that goes away after the first line: the run still completes, exit 0, no stack trace', async () => {
    const root = project({
      'kysely.config.ts': `export default { migrationsDir: 'db/migrations' };\n`,
      ...migrations(5),
    });
    const run = await bin(['latest', '--url', ctx.database.url], root, 1);
    expect(run.stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(run.code).toBe(0);
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual(
      [1, 2, 3, 4, 5].map((v) => [v, 'applied']),
    );
    const status = await bin(['status', '--url', ctx.database.url], root, 1);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
  });
});
