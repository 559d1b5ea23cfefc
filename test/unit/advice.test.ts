/** #12.6 / #11.7: advice names the command the user runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { adviceCommand } from '../../src/engine/advice.ts';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function projectWith(scripts: Record<string, string> | undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-advice-'));
  roots.push(root);
  if (scripts) fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', scripts }));
  fs.mkdirSync(path.join(root, 'sub'));
  return root;
}

it('the npm script that started this process, when it runs kmigrate', () => {
  const cwd = projectWith(undefined);
  expect(
    adviceCommand('repair', {
      cwd,
      env: { npm_lifecycle_event: 'db:migrate', npm_lifecycle_script: 'kmigrate' },
    }),
  ).toBe('npm run db:migrate -- repair');
  // `npm start` of the app is not how kmigrate is run.
  expect(
    adviceCommand('repair', {
      cwd,
      env: { npm_lifecycle_event: 'start', npm_lifecycle_script: 'node server.js' },
    }),
  ).toBe('npx kmigrate repair');
});

it("else the project's own script that runs kmigrate (package.json found upward), else npx kmigrate", () => {
  const withScript = projectWith({ start: 'node app.js', migrate: 'kmigrate --config db/kysely.config.ts' });
  expect(adviceCommand('force 3', { cwd: path.join(withScript, 'sub'), env: {} })).toBe(
    'npm run migrate -- force 3',
  );
  const without = projectWith({ start: 'node app.js' });
  expect(adviceCommand('force 3', { cwd: without, env: {} })).toBe('npx kmigrate force 3');
});
