import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface OptionalToolOptions {
  /** When this environment variable is `1`, a missing tool fails the run instead of skipping. */
  env: string;
  /** How to install it, printed in the skip message (e.g. `apt-get install pgbouncer`). */
  install: string;
}

export interface OptionalTool {
  readonly name: string;
  /** Absolute path of the executable, when found. */
  readonly path: string | undefined;
  readonly available: boolean;
  /** Why the tests that need it are skipped (undefined when available). */
  readonly skipReason: string | undefined;
}

/** Thrown at collection time when a required tool is missing: the file fails instead of skipping quietly. */
export class RequiredToolMissingError extends Error {
  override readonly name = 'RequiredToolMissingError';
  constructor(
    readonly tool: string,
    readonly env: string,
    readonly install: string,
  ) {
    super(`${tool} is required (${env}=1) but was not found on PATH or in /usr/sbin; install it: ${install}`);
  }
}

const cache = new Map<string, OptionalTool>();

/**
 * Finds an external program that some tests need (pgbouncer, openssl). Missing:
 * prints once how to enable those tests and returns available=false, so the
 * caller can `describe.skipIf(!tool.available)`; with `<env>=1` (CI) a missing
 * tool throws instead, so a CI machine without it can never pass by skipping.
 */
export function optionalTool(name: string, options: OptionalToolOptions): OptionalTool {
  const cached = cache.get(name);
  if (cached) return cached;
  const found = findExecutable(name);
  let tool: OptionalTool;
  if (found) {
    tool = { name, path: found, available: true, skipReason: undefined };
  } else {
    if (process.env[options.env] === '1')
      throw new RequiredToolMissingError(name, options.env, options.install);
    const skipReason = `${name} is not installed: the tests that need it are skipped. To run them: ${options.install} (set ${options.env}=1 to make its absence a failure)`;
    console.warn(`[kmigrate tests] ${skipReason}`);
    tool = { name, path: undefined, available: false, skipReason };
  }
  cache.set(name, tool);
  return tool;
}

/** PATH plus the sbin folders, where Debian puts daemons such as pgbouncer. */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  try {
    const out = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}
