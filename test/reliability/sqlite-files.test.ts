import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { migrationFolders } from '../support/migration-folder.ts';

/**
 * #10 item 16: SQLite and the file system — a database deleted while its
 * -wal/-shm stayed, a write lock held on a rollback-journal file (with
 * --lock-timeout honoured), a read-only file or folder, a full database.
 * Each: one line naming the file and the next step, the documented exit code,
 * and the file's tracking rows afterwards exactly what they were.
 */
const folder = migrationFolders();
const dirs: string[] = [];
const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0).reverse()) execFileSync('umount', [m]);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sqlite-files-'));
  dirs.push(dir);
  return dir;
}

const MIGRATIONS = {
  '001_a.up.sql': 'create table a (id integer primary key);\n',
  '002_b.up.sql': 'create table b (id integer primary key);\n',
};

const cli = (file: string, dir: string, ...args: string[]) =>
  runCliInProcess(['--url', `sqlite:${file}`, '--dir', dir, ...args], { cwd: path.dirname(dir) });

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim());
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

function rows(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('select version, state from schema_migrations order by version')
      .all()
      .map((r) => {
        const row = r as { version: number; state: string };
        return `${row.version}:${row.state}`;
      });
  } finally {
    db.close();
  }
}

/** A read-only view of `target` (a file or folder) by a read-only bind mount: works as root too. */
function makeReadOnly(target: string): boolean {
  try {
    execFileSync('mount', ['--bind', target, target], { stdio: 'ignore' });
  } catch {
    return false;
  }
  mounts.push(target);
  execFileSync('mount', ['-o', 'remount,ro,bind', target], { stdio: 'ignore' });
  return true;
}

/** Read-only by permissions when not root; by a bind mount when root may mount; else not possible here. */
function readOnlyPossible(): boolean {
  if (process.getuid?.() !== 0) return true;
  return canMount(
    (probe) => ['--bind', probe, probe],
    'the read-only SQLite file/folder tests (sqlite-files.test.ts) need a non-root user, or root allowed to bind-mount; run them as a normal user to include them',
  );
}

/**
 * Whether this process may mount (`args` for a scratch folder) and unmount again. When not, the
 * skip says why, once (the project's rule for tests that need what a machine may not have).
 */
function canMount(args: (probe: string) => string[], whySkipped: string): boolean {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-mount-probe-'));
  try {
    execFileSync('mount', args(probe), { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    console.warn(`[kmigrate tests] skipped: ${whySkipped}`);
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** A 2 MiB tmpfs (root only): a disk that a test can fill. */
function smallDisk(): string {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
  mounts.push(dir);
  return dir;
}

function tmpfsPossible(): boolean {
  return canMount(
    (probe) => ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe],
    'the full-disk SQLite test (sqlite-files.test.ts) mounts a small tmpfs, which needs root allowed to mount',
  );
}

function readOnly(target: string): void {
  if (process.getuid?.() === 0) expect(makeReadOnly(target)).toBe(true);
  else fs.chmodSync(target, fs.statSync(target).isDirectory() ? 0o555 : 0o444);
}

/** Undoes readOnly (a WAL database cannot even be read in a read-only folder). */
function writable(target: string): void {
  const at = mounts.indexOf(target);
  if (at >= 0) {
    execFileSync('umount', [target]);
    mounts.splice(at, 1);
  } else fs.chmodSync(target, 0o755);
}

describe('SQLite and its files', () => {
  it('a database file deleted while its -wal/-shm stayed: exit 4 naming both, nothing created', async () => {
    const dir = folder(MIGRATIONS);
    const file = path.join(tempDir(), 'app.sqlite');
    // A WAL that holds commits the main file does not (no checkpoint), kept as a crash would leave it.
    const db = new Database(file);
    db.pragma('journal_mode = wal');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table kept (x); insert into kept values (1)');
    const wal = fs.readFileSync(`${file}-wal`);
    const shm = fs.readFileSync(`${file}-shm`);
    db.close();
    fs.writeFileSync(`${file}-wal`, wal);
    fs.writeFileSync(`${file}-shm`, shm);
    fs.rmSync(file);

    for (const command of ['latest', 'status']) {
      const run = await cli(file, dir, command);
      expect(run.code, run.stderr).toBe(4);
      expect(oneLine(run.stderr)).toMatch(
        /^error: SQLite database .*app\.sqlite: the file is missing but app\.sqlite-wal and app\.sqlite-shm are still there .*nothing was created; put the database file back, or, to start an empty database, delete .*app\.sqlite-wal and .*app\.sqlite-shm$/,
      );
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.readFileSync(`${file}-wal`).equals(wal)).toBe(true);
    }
    // After the user's choice (start empty), the run completes.
    fs.rmSync(`${file}-wal`);
    fs.rmSync(`${file}-shm`);
    expect((await cli(file, dir, 'latest')).code).toBe(0);
    expect(rows(file)).toEqual(['1:applied', '2:applied']);
  });

  it('a write lock held on a rollback-journal file: --lock-timeout is honoured, exit 4 naming the file', async () => {
    const dir = folder(MIGRATIONS);
    const file = path.join(tempDir(), 'journal.sqlite');
    const holder = new Database(file);
    holder.pragma('journal_mode = delete');
    holder.exec('create table app_data (x)');
    holder.exec('begin immediate');
    holder.exec('insert into app_data values (1)');
    try {
      const started = performance.now();
      const run = await cli(file, dir, '--lock-timeout', '500', 'latest');
      const ms = performance.now() - started;
      expect(run.code, run.stderr).toBe(4);
      expect(oneLine(run.stderr)).toMatch(
        /^error: SQLite database .*journal\.sqlite: another connection held a lock on it for more than 500 ms .*; let that process finish its transaction or stop it, then run again, or raise --lock-timeout$/,
      );
      // Bounded by --lock-timeout, not by the 5 s default of the WAL switch.
      expect(ms).toBeLessThan(4_000);
    } finally {
      holder.exec('commit');
    }
    expect(holder.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(holder.prepare(`select name from sqlite_master where name = 'schema_migrations'`).all()).toEqual(
      [],
    );
    holder.close();
    expect((await cli(file, dir, 'latest')).code).toBe(0);
    expect(rows(file)).toEqual(['1:applied', '2:applied']);
  });

  it('the database fills up mid-step: exit 1, the next step is about space, the step rolled back', async () => {
    const dir = folder({
      ...MIGRATIONS,
      '002_b.up.sql': [
        'create table b (x text);',
        // max_page_count below the file's size means "no more pages": the database is full.
        'pragma max_page_count = 1;',
        "insert into b with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000) select printf('%.400c', 'x') from n;",
        '',
      ].join('\n'),
    });
    const file = path.join(tempDir(), 'full.sqlite');
    expect((await cli(file, dir, 'up', '--step', '1')).code).toBe(0);
    const run = await cli(file, dir, 'latest');
    expect(run.code, run.stderr).toBe(1);
    const line = oneLine(run.stderr);
    expect(line).toMatch(/^error: 002_b\.up\.sql.*: migration 2 up failed .*database or disk is full/);
    expect(line).toMatch(
      /it was rolled back and nothing after it ran; free space on the disk of .* then run again$/,
    );
    expect(line).not.toMatch(/fix the migration/);
    expect(rows(file)).toEqual(['1:applied']);
  });

  // A small tmpfs that the migration itself fills: its own statements succeed (they are still in
  // SQLite's page cache), then the COMMIT that carries them and the tracking rows cannot be written.
  // Skipped only where mounting a tmpfs is not allowed (a non-root user, or root without the
  // capability; tmpfsPossible() prints why). SQLite only: a full disk under PostgreSQL is the server's.
  describe.skipIf(!tmpfsPossible())('a disk that fills outside the step (a tmpfs, as root)', () => {
    it('the COMMIT after the step fails: exit 1 naming the file and the space, nothing stays', async () => {
      const disk = smallDisk();
      const file = path.join(disk, 'full.sqlite');
      const fill = path.join(disk, 'filler');
      const dir = folder({
        ...MIGRATIONS,
        '002_b.ts': [
          "import fs from 'node:fs';",
          "import { sql } from 'kysely';",
          'export async function up(db: any) {',
          '  await sql`create table b (x text)`.execute(db);',
          // Fills the disk only while the test asks it to (the rerun below must succeed).
          `  if (!fs.existsSync(${JSON.stringify(`${fill}.on`)})) return;`,
          `  const fd = fs.openSync(${JSON.stringify(fill)}, 'w');`,
          '  const chunk = Buffer.alloc(64 * 1024, 1);',
          '  try { for (;;) fs.writeSync(fd, chunk); } catch {} finally { fs.closeSync(fd); }',
          '}',
          '',
        ].join('\n'),
      });
      fs.rmSync(path.join(dir, '002_b.up.sql'));
      expect((await cli(file, dir, 'up', '--step', '1')).code).toBe(0);
      fs.writeFileSync(`${fill}.on`, '');
      const run = await cli(file, dir, 'latest');
      expect(run.code, run.stderr).toBe(1);
      const line = oneLine(run.stderr);
      expect(line).toMatch(
        /is full \(while committing a migration with its tracking rows; .*nothing of it stayed\)/,
      );
      expect(line).toContain(file);
      expect(line).toMatch(/free space on the disk of .*then run again/);
      expect(line).not.toMatch(/fix the migration|at .*\.ts:\d+/);
      fs.rmSync(fill);
      fs.rmSync(`${fill}.on`);
      expect(rows(file)).toEqual(['1:applied']);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare("select name from sqlite_master where name = 'b'").all()).toEqual([]);
      } finally {
        db.close();
      }
      // Space back: the same command finishes the job.
      expect((await cli(file, dir, 'latest')).code).toBe(0);
      expect(rows(file)).toEqual(['1:applied', '2:applied']);
    });
  });

  // Skipped only where a read-only file cannot be made: root (who ignores permissions) without the right to
  // bind-mount; readOnlyPossible() prints why. Both dialects are not involved: read-only files are SQLite's case.
  describe.skipIf(!readOnlyPossible())('read-only (permissions, or a read-only bind mount as root)', () => {
    it('a read-only database file: exit 1 naming it and what to make writable; rows unchanged', async () => {
      const dir = folder(MIGRATIONS);
      const file = path.join(tempDir(), 'ro.sqlite');
      expect((await cli(file, dir, 'up', '--step', '1')).code).toBe(0);
      readOnly(file);
      const run = await cli(file, dir, 'latest');
      expect(run.code, run.stderr).toBe(1);
      const line = oneLine(run.stderr);
      expect(line).toMatch(/ro\.sqlite/);
      expect(line).toMatch(
        /read-only.*make .*ro\.sqlite and .* writable for this user, or pass another --url$/,
      );
      expect(line).not.toMatch(/fix the migration/);
      expect(rows(file)).toEqual(['1:applied']);
    });

    it('a read-only folder: latest and status exit 1 naming the folder, rows unchanged', async () => {
      const dir = folder(MIGRATIONS);
      const home = tempDir();
      const file = path.join(home, 'app.sqlite');
      expect((await cli(file, dir, 'up', '--step', '1')).code).toBe(0);
      readOnly(home);
      for (const command of ['latest', 'status']) {
        const run = await cli(file, dir, command);
        expect(run.code, `${command}: ${run.stderr}`).toBe(1);
        expect(oneLine(run.stderr)).toMatch(
          /^error: SQLite database .*app\.sqlite: the folder .* is read-only, and SQLite must create files next to the database .*; make .* writable for this user, or pass another --url$/,
        );
      }
      writable(home);
      expect(rows(file)).toEqual(['1:applied']);
    });
  });
});
