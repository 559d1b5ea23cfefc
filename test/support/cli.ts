import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliIO } from '../../src/cli/io.ts';
import { safe } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the CLI in-process (fast), with captured output; `env` replaces process.env. */
export async function runCliInProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; isTTY?: boolean; answer?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += safe(t);
    },
    stderr: (t) => {
      stderr += safe(t);
    },
    isTTY: options.isTTY ?? false,
    confirm: async () => options.answer ?? false,
    env: { NO_COLOR: '1', KMIGRATE_NO_CODEGEN: '1', ...(options.env ?? {}) },
    cwd: options.cwd ?? ROOT,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** Runs `tsx scripts/migrate.ts` as a real subprocess: what a user runs. */
export function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/migrate.ts'), ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NO_COLOR: '1',
          KMIGRATE_NO_CODEGEN: '1',
          ...(options.env ?? {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
