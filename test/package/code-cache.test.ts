/**
 * The bin's V8 code cache (bin/kmigrate.cjs, loadBundle): a cache that is missing, from another
 * Node, corrupt or turned off never changes what a run does; a missing or rejected one is written
 * after the run, atomically, also when several processes start at once; a run of a command (on a
 * dialect) the cache has not seen writes it again, keeping the commands it had. The package is built in a
 * staging copy (without src/, as installed), so the repository's own dist/ is never touched.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HEADER = `kmigrate-code-cache 2 ${process.version} ${process.arch} `;

let work: string;
let bin: string;
let cacheFile: string;
let project: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kmigrate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: project, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** A fresh database and one pending migration; returns the URL. */
function freshDatabase(name: string): string {
  return `sqlite:${path.join(project, `${name}.sqlite`)}`;
}

function trackedVersions(url: string): number[] {
  const db = new Database(url.replace(/^sqlite:/, ''), { readonly: true });
  try {
    return (
      db.prepare('select version from schema_migrations order by version').all() as { version: number }[]
    ).map((r) => r.version);
  } finally {
    db.close();
  }
}

/** The commands (command:dialect) the cache's header says it was written after. */
function labelsOf(cache: Buffer): string[] {
  const header = cache.subarray(0, cache.indexOf(10)).toString('latin1');
  return header.split(' ').at(-1)!.split(',').filter(Boolean);
}

function leftovers(): string[] {
  return fs.readdirSync(path.dirname(cacheFile)).filter((f) => /\.code-cache\.\d+$/.test(f));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-code-cache-'));
  const stage = path.join(work, 'package');
  fs.mkdirSync(stage);
  for (const entry of ['package.json', 'tsconfig.json', 'bin', 'src']) {
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  execFileSync(process.execPath, [path.join(stage, 'bin', 'build-cli.mjs')], { cwd: stage, stdio: 'pipe' });
  // Installed, a package has no src/: the bin always runs the bundle.
  fs.rmSync(path.join(stage, 'src'), { recursive: true });
  bin = path.join(stage, 'bin', 'kmigrate.cjs');
  cacheFile = path.join(stage, 'dist', 'bundle', 'kmigrate.cjs.code-cache');
  project = path.join(work, 'project');
  fs.mkdirSync(path.join(project, 'migrations'), { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), '{"private":true}\n');
  fs.writeFileSync(
    path.join(project, 'migrations', '001_a.up.sql'),
    'create table a (id integer primary key);\n',
  );
  fs.writeFileSync(path.join(project, 'migrations', '001_a.down.sql'), 'drop table a;\n');
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the bin’s code cache', () => {
  it('is written by the build, used as it is, and a run on it applies and tracks', async () => {
    const before = fs.readFileSync(cacheFile);
    expect(before.subarray(0, HEADER.length).toString('latin1')).toBe(HEADER);
    const url = freshDatabase('used');
    const run = await kmigrate(['latest', '--url', url, '--no-codegen']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(trackedVersions(url)).toEqual([1]);
    // Accepted: not rewritten.
    expect(fs.readFileSync(cacheFile).equals(before)).toBe(true);
  });

  it('a corrupt cache (right header, garbage after it) is rejected by V8 and rewritten; the run is unaffected', async () => {
    const header = fs.readFileSync(cacheFile).subarray(0, fs.readFileSync(cacheFile).indexOf(10) + 1);
    const garbage = Buffer.concat([header, Buffer.alloc(64 * 1024, 0x5a)]);
    fs.writeFileSync(cacheFile, garbage);
    const url = freshDatabase('corrupt');
    const run = await kmigrate(['latest', '--url', url, '--no-codegen']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(trackedVersions(url)).toEqual([1]);
    const after = fs.readFileSync(cacheFile);
    expect(after.equals(garbage)).toBe(false);
    expect(after.subarray(0, header.length).equals(header)).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('a cache of another Node or another bundle is ignored and replaced', async () => {
    fs.writeFileSync(
      cacheFile,
      `kmigrate-code-cache 2 v0.0.0 ${process.arch} 1 1 status:sqlite\nnot V8 data`,
    );
    const status = await kmigrate(['status', '--url', freshDatabase('other-node')]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('1 pending');
    expect(fs.readFileSync(cacheFile).subarray(0, HEADER.length).toString('latin1')).toBe(HEADER);
  });

  it('KMIGRATE_CODE_CACHE=0 neither reads nor writes one', async () => {
    fs.rmSync(cacheFile);
    const url = freshDatabase('off');
    const run = await kmigrate(['latest', '--url', url, '--no-codegen'], { KMIGRATE_CODE_CACHE: '0' });
    expect(run.code).toBe(0);
    expect(trackedVersions(url)).toEqual([1]);
    expect(fs.existsSync(cacheFile)).toBe(false);
  });

  it('four processes starting without one all succeed, apply once, and leave one whole cache', async () => {
    const url = freshDatabase('many');
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => kmigrate(['latest', '--url', url, '--no-codegen'])),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(trackedVersions(url)).toEqual([1]);
    expect(fs.readFileSync(cacheFile).subarray(0, HEADER.length).toString('latin1')).toBe(HEADER);
    expect(leftovers()).toEqual([]);
    // And the cache they left is one V8 accepts: the next run of that command does not rewrite it.
    const written = fs.readFileSync(cacheFile);
    expect((await kmigrate(['latest', '--url', url, '--no-codegen'])).code).toBe(0);
    expect(fs.readFileSync(cacheFile).equals(written)).toBe(true);
  });

  it('a command it has not seen writes it again, keeping the ones it had; a second run does not', async () => {
    const url = freshDatabase('grows');
    expect((await kmigrate(['latest', '--url', url, '--no-codegen'])).code).toBe(0);
    const before = fs.readFileSync(cacheFile);
    expect(labelsOf(before)).toContain('latest:sqlite');
    const status = await kmigrate(['status', '--url', url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('applied');
    const grown = fs.readFileSync(cacheFile);
    // What it had (the runs before may have added `waited:sqlite`: four processes at once), and status.
    expect(labelsOf(grown)).toEqual([...labelsOf(before), 'status:sqlite'].sort());
    expect(grown.equals(before)).toBe(false);
    expect(leftovers()).toEqual([]);
    // Accepted by V8 and complete: neither command rewrites it now.
    expect((await kmigrate(['status', '--url', url])).code).toBe(0);
    expect((await kmigrate(['latest', '--url', url, '--no-codegen'])).code).toBe(0);
    expect(fs.readFileSync(cacheFile).equals(grown)).toBe(true);
    expect(trackedVersions(url)).toEqual([1]);
  });
});
