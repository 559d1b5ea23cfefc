import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The one-door rule (docs/decisions/0002-one-door.md) is kept by Biome's
 * noRestrictedImports overrides in biome.json. These tests prove the rule
 * bites: the project's own biome.json, in a scratch copy of the layout, flags
 * a CLI file that reaches into the engine and an engine file that names a
 * dialect, and lets the allowed imports through.
 */
const root = path.resolve(import.meta.dirname, '../..');
const biome = path.join(root, 'node_modules', '.bin', 'biome');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-boundaries-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'p-'));
  fs.copyFileSync(path.join(root, 'biome.json'), path.join(dir, 'biome.json'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** `biome lint` in `dir` with the copied config; the scratch copy is no git repository. */
function lint(dir: string): { code: number | null; output: string } {
  const run = spawnSync(biome, ['lint', '--vcs-enabled=false', '--max-diagnostics=50', 'src'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('import boundaries (biome.json noRestrictedImports)', () => {
  it('refuses a CLI file importing engine, dialect or config internals, at any depth', () => {
    const dir = project({
      'src/cli/io.ts': "import { oneLine } from '../engine/errors.ts';\nexport const f = oneLine;\n",
      'src/cli/commands/drift.ts':
        "import { openScratchDatabase } from '../../dialects/scratch-database.ts';\nexport const g = openScratchDatabase;\n",
      'src/cli/commands/init.ts':
        "import { loadConfig } from '../../config/load-config.ts';\nexport const h = loadConfig;\n",
    });
    const { code, output } = lint(dir);
    expect(code).not.toBe(0);
    expect(output).toContain('lint/style/noRestrictedImports');
    for (const file of ['src/cli/io.ts', 'src/cli/commands/drift.ts', 'src/cli/commands/init.ts'])
      expect(output).toContain(file);
    expect(output).toContain('The CLI imports only the facade');
  });

  it('refuses an engine file importing a dialect, the CLI or the facade', () => {
    const dir = project({
      'src/engine/plan.ts':
        "import { advisoryLockKey } from '../dialects/lock-key.ts';\nexport const k = advisoryLockKey;\n",
      'src/engine/commands/up.ts': "import { runCli } from '../../cli/main.ts';\nexport const r = runCli;\n",
    });
    const { code, output } = lint(dir);
    expect(code).not.toBe(0);
    expect(output).toContain('src/engine/plan.ts');
    expect(output).toContain('src/engine/commands/up.ts');
    expect(output).toContain('The engine knows no concrete dialect');
  });

  it('lets the facade and the CLI’s own files through', () => {
    const dir = project({
      'src/cli/io.ts': "import { redactUrl } from '../index.ts';\nexport const f = redactUrl;\n",
      'src/cli/commands/status.ts':
        "import { migratorForConfig } from '../../index.ts';\nimport { f } from '../io.ts';\nexport const g = [migratorForConfig, f];\n",
      'src/engine/plan.ts': "import { x } from './types.ts';\nexport const y = x;\n",
    });
    const { code, output } = lint(dir);
    expect(output).not.toContain('noRestrictedImports');
    expect(code).toBe(0);
  });

  it('holds for the real src/cli and src/engine', () => {
    const run = spawnSync(biome, ['lint', 'src/cli', 'src/engine'], { cwd: root, encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).not.toContain('noRestrictedImports');
    expect(run.status).toBe(0);
  });
});
