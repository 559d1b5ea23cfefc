import { afterEach, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { createPostgresDatabase, createSqliteDatabase } from '../support/databases.ts';
import { tableModule, trackingRows, writeMigrationFolder } from '../support/migration-folder.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function prepared(dialect: 'postgres' | 'sqlite') {
  const database = dialect === 'postgres' ? await createPostgresDatabase() : await createSqliteDatabase();
  const folder = writeMigrationFolder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
  cleanups.push(folder.cleanup, () => database.drop());
  const cli = (args: string[], io: { isTTY?: boolean; answer?: boolean } = {}) =>
    runCliInProcess(['--url', database.url, '--dir', folder.dir, ...args], io);
  expect((await cli(['latest'])).code).toBe(0);
  return { database, cli };
}

it('PostgreSQL: down without a terminal needs --yes and changes nothing without it', async () => {
  const { database, cli } = await prepared('postgres');
  const refused = await cli(['down']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/needs confirmation; run it in a terminal, or pass --yes/);
  const toRefused = await cli(['to', '0']);
  expect(toRefused.code).toBe(2);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1, 2]);
  expect((await cli(['down', '--yes'])).code).toBe(0);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1]);
});

it('PostgreSQL: in a terminal, down asks; "no" changes nothing, "yes" rolls back', async () => {
  const { database, cli } = await prepared('postgres');
  const no = await cli(['down'], { isTTY: true, answer: false });
  expect(no.code).toBe(2);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1, 2]);
  const yes = await cli(['down'], { isTTY: true, answer: true });
  expect(yes.code).toBe(0);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1]);
});

it('PostgreSQL: moving `to` a higher version does not ask', async () => {
  const { database, cli } = await prepared('postgres');
  expect((await cli(['down', '--yes'])).code).toBe(0);
  expect((await cli(['to', '2'])).code).toBe(0);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1, 2]);
});

it('SQLite (development): down does not ask', async () => {
  const { database, cli } = await prepared('sqlite');
  expect((await cli(['down'])).code).toBe(0);
  expect((await trackingRows(database)).map((r) => r.version)).toEqual([1]);
});
