import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE = path.join(import.meta.dirname, 'typed-queries.typecheck.ts');
const UNKNOWN_NAMES = ['total_cost', 'budget', 'nickname', 'cost_logs', 'schema_migrations'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-compile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const isDirective = (line: string) => line.trim().startsWith('// @ts-expect-error');

/**
 * tsc over typed-queries.typecheck.ts as written (must pass) and over a copy
 * without its @ts-expect-error lines (must fail once per removed line, on the
 * line naming the unknown column or table): the directives guard real errors.
 */
it('querying a column or table no migration creates fails to typecheck', async () => {
  const text = fs
    .readFileSync(SOURCE, 'utf8')
    .replaceAll("'../../generated/db.ts'", `'${ROOT}/generated/db.ts'`);
  const lines = text.split('\n');
  const without = lines.filter((l) => !isDirective(l));
  expect(lines.filter(isDirective)).toHaveLength(UNKNOWN_NAMES.length);
  fs.writeFileSync(path.join(dir, 'as-written.ts'), text);
  fs.writeFileSync(path.join(dir, 'without-directives.ts'), without.join('\n'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  // ESM, like the repository: otherwise tsc reads the copies as CommonJS.
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      include: [],
      files: ['as-written.ts', 'without-directives.ts'],
    }),
  );

  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const output = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', dir], { cwd: dir }).then(
    () => '',
    (error: { stdout: string }) => error.stdout,
  );
  const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
  expect(errors.filter((e) => e.startsWith('as-written.ts'))).toEqual([]);
  const failing = errors.filter((e) => e.startsWith('without-directives.ts'));
  expect(failing).toHaveLength(UNKNOWN_NAMES.length);
  // tsc's first line does not always quote the name ("No overload matches this call"): match by line.
  for (const name of UNKNOWN_NAMES) {
    const line = without.findIndex((l) => l.includes(`'${name}'`) || l.includes(`${name}:`)) + 1;
    expect(line, name).toBeGreaterThan(0);
    expect(
      failing.some((e) => e.startsWith(`without-directives.ts(${line},`)),
      `a type error on line ${line}, which uses ${name}`,
    ).toBe(true);
  }
}, 60_000);
