// B2/B3/B4 peer: Kysely's Migrator with its FileMigrationProvider, started as its own process like a deploy step.
// Usage: node --import ./bench/peers/register-ts-hooks.mjs bench/peers/kysely-latest.mjs <postgres|sqlite> <url> <folder>
// Prints `applied <name>` per migration it applied (B4 finds the starter that did the work by it).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';

const [dialect, url, folder] = process.argv.slice(2);
let db;
if (dialect === 'sqlite') {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(url.replace(/^sqlite:/, ''));
  database.pragma('journal_mode = wal');
  db = new Kysely({ dialect: new SqliteDialect({ database }) });
} else {
  const { default: pg } = await import('pg');
  db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
}
try {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  process.stdout.write(applied.map((name) => `applied ${name}\n`).join(''));
} finally {
  await db.destroy();
}
