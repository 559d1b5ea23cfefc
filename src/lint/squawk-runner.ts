import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { LintToolError } from './lint-tool-error.ts';

/** One piece of SQL for squawk, linted as one migration file. */
export interface SquawkInput {
  readonly id: string;
  readonly sql: string;
  /** True when the engine runs this migration inside a transaction. */
  readonly assumeInTransaction: boolean;
}

/** A squawk finding; line and column are 0-based, as squawk's JSON reporter gives them. */
export interface SquawkFinding {
  readonly rule: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly help: string | null;
}

export interface SquawkOptions {
  /** PostgreSQL version squawk assumes (e.g. "17"): some advice depends on it. */
  readonly pgVersion: string;
  readonly exclude: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

interface RawFinding {
  file: string;
  line: number;
  column: number;
  message: string;
  help: string | null;
  rule_name: string;
}

/**
 * Runs squawk at most twice (transactional and non-transactional migrations
 * need different --assume-in-transaction settings), on temp files in a temp
 * folder, so no .squawk.toml of the project changes the result.
 */
export async function runSquawk(
  inputs: readonly SquawkInput[],
  options: SquawkOptions,
): Promise<Map<string, SquawkFinding[]>> {
  const byId = new Map<string, SquawkFinding[]>(inputs.map((i) => [i.id, []]));
  if (!inputs.length) return byId;
  const binary = squawkBinary(options.env ?? process.env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-lint-'));
  try {
    const files = new Map<string, string>();
    for (const [index, input] of inputs.entries()) {
      const name = `${index}.sql`;
      fs.writeFileSync(path.join(dir, name), input.sql);
      files.set(name, input.id);
    }
    for (const inTransaction of [true, false]) {
      const names = inputs.flatMap((input, index) =>
        input.assumeInTransaction === inTransaction ? [`${index}.sql`] : [],
      );
      if (!names.length) continue;
      const args = [
        '--reporter',
        'json',
        '--pg-version',
        options.pgVersion,
        inTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction',
        ...(options.exclude.length ? ['--exclude', options.exclude.join(',')] : []),
        ...names,
      ];
      for (const raw of await execSquawk(binary, args, dir)) {
        const id = files.get(path.basename(raw.file));
        if (id === undefined) continue;
        byId.get(id)!.push({
          rule: raw.rule_name,
          line: raw.line,
          column: raw.column,
          message: raw.message,
          help: raw.help,
        });
      }
    }
    return byId;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** KMIGRATE_SQUAWK, else the binary squawk-cli installed for this platform. */
export function squawkBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KMIGRATE_SQUAWK) return env.KMIGRATE_SQUAWK;
  const require = createRequire(import.meta.url);
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${pkg}/bin/${process.platform === 'win32' ? 'squawk.exe' : 'squawk'}`);
  } catch {
    throw new LintToolError('squawk', `is not installed for ${process.platform}-${process.arch} (${pkg})`);
  }
}

function execSquawk(binary: string, args: string[], cwd: string): Promise<RawFinding[]> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // Exit 1 only means "found something"; anything else is a failure of squawk itself.
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (code !== 0 && code !== 1) {
        reject(
          new LintToolError(
            'squawk',
            `failed (${typeof error?.code === 'string' ? error.code : `exit ${code}`}): ${firstLine(stderr || error?.message || '')}`,
          ),
        );
        return;
      }
      try {
        const parsed = JSON.parse(stdout) as unknown;
        if (!Array.isArray(parsed)) throw new Error('not a list');
        resolve(parsed as RawFinding[]);
      } catch {
        reject(
          new LintToolError('squawk', `printed something other than its JSON report: ${firstLine(stdout)}`),
        );
      }
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}
