import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProcessRun {
  ms: number;
  /** performance.now() when the process exited (B4 orders the starters' exits). */
  endedAt: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size in KiB (GNU time's %M), when asked for. */
  peakRssKiB?: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Run under /usr/bin/time to read the child's peak RSS. The wrapper is one
   * fork+exec more (≈ 1 ms) for every tool alike, so ratios stay fair.
   */
  peakRss?: boolean;
}

const GNU_TIME = '/usr/bin/time';
let rssFileSeq = 0;

/** Spawns a command and measures wall time from spawn to exit. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessRun> {
  const rssFile =
    options.peakRss && fs.existsSync(GNU_TIME)
      ? path.join(os.tmpdir(), `kmigrate-bench-rss-${process.pid}-${rssFileSeq++}`)
      : undefined;
  const [cmd, argv] = rssFile
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]]
    : [command, [...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const endedAt = performance.now();
      const run: ProcessRun = { ms: endedAt - started, endedAt, code, stdout, stderr };
      if (rssFile) {
        // GNU time writes "Command exited with non-zero status N" before the number on failure.
        const kib = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        fs.rmSync(rssFile, { force: true });
        if (Number.isFinite(kib)) run.peakRssKiB = kib;
      }
      resolve(run);
    });
  });
}

/** Like runProcess, but a non-zero exit is an error naming the command and its stderr. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessRun> {
  const run = await runProcess(command, args, options);
  if (run.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 2000)}`,
    );
  }
  return run;
}
