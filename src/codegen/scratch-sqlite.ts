import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs `fn` with the URL of a new SQLite file in a temp folder, removed afterwards. */
export async function withScratchSqlite<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-codegen-sqlite-'));
  try {
    return await fn(`sqlite:${path.join(dir, 'scratch.sqlite')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
