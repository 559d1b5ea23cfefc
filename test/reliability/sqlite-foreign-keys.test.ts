import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { migrationFolders } from '../support/migration-folder.ts';

/**
 * SQLite's table-rebuild procedure (and Prisma's, drizzle's and Atlas's generated SQLite
 * migrations) turns foreign keys off so that dropping the old table neither cascades to its
 * children nor is refused by them. Inside a transaction that PRAGMA does nothing: the engine's
 * transaction used to make DROP TABLE cascade, deleting every child row, with exit 0. The driver
 * now turns foreign keys off before its BEGIN for such a file, checks them before COMMIT, and
 * turns them on again after. (PostgreSQL has no such PRAGMA: SQLite only.)
 */
const folder = migrationFolders();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function database(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sqlite-fk-'));
  dirs.push(dir);
  return path.join(dir, 'app.sqlite');
}

const INIT = `create table p (id integer primary key, name text);
create table c (id integer primary key, pid integer references p(id) on delete cascade);
insert into p values (1, 'a'), (2, 'b');
insert into c values (10, 1), (11, 2);
`;
/** The documented rebuild: a NOT NULL column added by copying into a new table. */
const rebuild = (copy: string) => `PRAGMA foreign_keys=off;
create table new_p (id integer primary key, name text not null default '');
insert into new_p ${copy};
drop table p;
alter table new_p rename to p;
PRAGMA foreign_keys=on;
`;

function query<T>(file: string, text: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(text).all() as T[];
  } finally {
    db.close();
  }
}

describe('SQLite: a migration that turns foreign keys off', () => {
  it('rebuilds a parent table in the engine’s transaction without touching its children; keys are on again after', async () => {
    const file = database();
    const dir = folder({
      '001_init.up.sql': INIT,
      '002_rebuild.up.sql': rebuild("select id, coalesce(name, '') from p"),
      // Foreign keys are back on for the next migration: a child without a parent is refused.
      '003_orphan.up.sql': 'insert into c values (12, 99);\n',
    });
    const run = await runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, 'latest']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/003_orphan\.up\.sql.*FOREIGN KEY constraint failed/);
    expect(query<{ id: number }>(file, 'select id from c order by id').map((r) => r.id)).toEqual([10, 11]);
    expect(
      query<{ version: number }>(file, 'select version from schema_migrations').map((r) => r.version),
    ).toEqual([1, 2]);
    expect(query<{ name: string }>(file, 'select name from p order by id').map((r) => r.name)).toEqual([
      'a',
      'b',
    ]);
  });

  it('a rebuild that leaves rows breaking the keys fails before COMMIT: rolled back, naming the file', async () => {
    const file = database();
    const dir = folder({
      '001_init.up.sql': INIT,
      // Copies only parent 1: child 11 is left without its parent.
      '002_rebuild.up.sql': rebuild("select id, coalesce(name, '') from p where id = 1"),
    });
    const run = await runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, 'latest']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*002_rebuild\.up\.sql:1.*leaves 1 row that breaks? them/m);
    expect(query<{ id: number }>(file, 'select id from p order by id').map((r) => r.id)).toEqual([1, 2]);
    expect(query<{ id: number }>(file, 'select id from c order by id').map((r) => r.id)).toEqual([10, 11]);
    expect(
      query<{ version: number }>(file, 'select version from schema_migrations').map((r) => r.version),
    ).toEqual([1]);
  });
});
