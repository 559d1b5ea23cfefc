import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** Writes a throw-away migrations folder; returns its path. Removed by the returned cleanup. */
export function writeMigrationFolder(files: Record<string, string | Buffer>): {
  dir: string;
  cleanup(): void;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-migrations-'));
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return { dir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/**
 * For a test file: returns `folder(files)`, which writes a throw-away migrations
 * folder and returns its path; every folder is removed after its test.
 */
export function migrationFolders(): (files: Record<string, string | Buffer>) => string {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  return (files) => {
    const written = writeMigrationFolder(files);
    cleanups.push(written.cleanup);
    return written.dir;
  };
}

/** A TypeScript migration creating (and dropping) one table with Kysely's schema builder. */
export function tableModule(table: string, extra = ''): string {
  return `import type { Kysely } from 'kysely';
export async function up(db: AnyKysely): Promise<void> {
  await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('label', 'text').execute();
  ${extra}
}
export async function down(db: AnyKysely): Promise<void> {
  await db.schema.dropTable('${table}').execute();
}
`;
}

/** Catalog check that does not go through the tool. */
export async function tableExists(
  database: { dialect: string; query<T>(sql: string): Promise<T[]> },
  table: string,
): Promise<boolean> {
  const rows =
    database.dialect === 'sqlite'
      ? await database.query(`select name from sqlite_master where type = 'table' and name = '${table}'`)
      : await database.query(
          `select tablename from pg_tables where schemaname = 'public' and tablename = '${table}'`,
        );
  return rows.length > 0;
}

export interface TrackingRowView {
  version: number;
  name: string;
  state: string;
  checksum: string;
}

export async function trackingRows(
  database: { query<T>(sql: string): Promise<T[]> },
  table = 'schema_migrations',
): Promise<TrackingRowView[]> {
  const rows = await database.query<TrackingRowView>(
    `select version, name, state, checksum from "${table}" order by version`,
  );
  return rows.map((r) => ({ ...r, version: Number(r.version) }));
}
