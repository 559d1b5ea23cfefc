import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';

/**
 * Regression test for what the concurrency campaign found: 16 processes opening
 * a brand-new SQLite file at once, some failed with "database is locked"
 * because switching to WAL returns SQLITE_BUSY at once (SQLite skips the busy
 * handler when waiting could deadlock) while another connection holds the
 * write lock. Reproduced deterministically here: fails in ~30 ms without the
 * retry in openDatabase, passes after the other connection commits.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

it('opening a new SQLite file while another connection is writing it waits instead of failing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-open-race-'));
  dirs.push(dir);
  const file = path.join(dir, 'fresh.sqlite');
  // Another process got there first: the file exists (still in rollback-journal mode) and it is
  // writing (RESERVED lock), e.g. creating the tracking tables under BEGIN IMMEDIATE.
  const other = new Database(file);
  other.exec('create table t (id integer)');
  other.exec('begin immediate');
  other.exec('insert into t values (1)');
  setTimeout(() => {
    other.exec('commit');
    other.close();
  }, 300);

  const started = performance.now();
  const open = await openDatabase(
    resolveConfig({}, { env: {}, overrides: { url: `sqlite:${file}` } }).database,
  );
  const waited = performance.now() - started;
  try {
    expect(waited).toBeGreaterThanOrEqual(250);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();
  } finally {
    await open.close();
  }
});
