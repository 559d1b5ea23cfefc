import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { migrationFolders, tableModule } from '../support/migration-folder.ts';

/** #10 item 16: a read-only command never changes an SQLite database (it switched them to WAL). */
const folder = migrationFolders();
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});
function tempFile(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-ro-'));
  roots.push(root);
  return path.join(root, 'app.sqlite');
}
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

it('status leaves a rollback-journal database byte for byte as it was (no WAL switch)', async () => {
  const file = tempFile();
  const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
  expect((await runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, 'up', '--step', '1'])).code).toBe(
    0,
  );
  const db = new Database(file);
  db.pragma('journal_mode = delete');
  db.close();
  const before = sha(file);
  const listing = fs.readdirSync(path.dirname(file)).sort();

  const run = await runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, 'status']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/2\s+b\s+pending/);
  expect(sha(file)).toBe(before);
  expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(listing);
  const after = new Database(file, { readonly: true });
  expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
  after.close();
});

it('status on a database file that does not exist yet creates nothing', async () => {
  const file = path.join(tempFile(), '..', 'data', 'dev.sqlite');
  const dir = folder({ '001_a.ts': tableModule('a') });
  const run = await runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, 'status']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/1\s+a\s+pending/);
  expect(fs.existsSync(path.dirname(file))).toBe(false);
});
