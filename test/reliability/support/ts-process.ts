import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './temp-project.ts';

/** tsx's loader, by absolute URL: works from any cwd, and keeps ONE process (kill -9 must hit the migrator itself). */
const TSX_LOADER = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** A clean environment: nothing from the caller's (no DATABASE_URL, no colours, no codegen). */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NO_COLOR: '1',
    KMIGRATE_NO_CODEGEN: '1',
    ...extra,
  };
}

export interface TsProcess {
  readonly child: ChildProcess;
  /** stdout lines so far. */
  readonly lines: string[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching, or undefined when the process ended first. */
  waitForLine(match: (line: string) => boolean): Promise<string | undefined>;
  /** Exit code (or the signal name when killed). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node [--import tsx] <script> ...args` as one process (tsx unless the script is plain .mjs). */
export function spawnTs(
  script: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: boolean } = {},
): TsProcess {
  const loader = script.endsWith('.mjs') ? [] : ['--import', TSX_LOADER];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? childEnv(),
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let err = '';
  let partial = '';
  const waiters: { match: (l: string) => boolean; resolve: (l: string | undefined) => void }[] = [];
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    let nl = partial.indexOf('\n');
    while (nl >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
      nl = partial.indexOf('\n');
    }
  });
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(undefined);
      resolve({ code, signal });
    });
  });
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const CLI = path.join(REPO_ROOT, 'scripts/migrate.ts');

/** Runs the real CLI (`scripts/migrate.ts`, what `npm run migrate` starts) as a subprocess. */
export async function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const started = performance.now();
  const p = spawnTs(CLI, args, { cwd: options.cwd ?? REPO_ROOT, env: childEnv(options.env) });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  return {
    code: code ?? (signal ? 128 : -1),
    stdout: p.stdout(),
    stderr: p.stderr(),
    ms: Math.round(performance.now() - started),
  };
}
