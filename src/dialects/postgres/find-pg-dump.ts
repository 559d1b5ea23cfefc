import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PgDumpBinary {
  file: string;
  major: number;
  version: string;
}

/**
 * A pg_dump able to dump a server of `serverMajor` (pg_dump refuses servers newer
 * than itself): KMIGRATE_PG_DUMP if set, else the newest of `pg_dump` on PATH and
 * Debian/Ubuntu's side-by-side /usr/lib/postgresql/<major>/bin/pg_dump. Returns
 * what was found when none is new enough, so the message can say which.
 */
export function findPgDump(
  serverMajor: number,
  env: NodeJS.ProcessEnv = process.env,
): { usable?: PgDumpBinary; found: PgDumpBinary[] } {
  const candidates = env.KMIGRATE_PG_DUMP ? [env.KMIGRATE_PG_DUMP] : defaultCandidates(env);
  const found: PgDumpBinary[] = [];
  for (const file of candidates) {
    const binary = probe(file);
    if (binary && !found.some((f) => f.version === binary.version && f.file === binary.file))
      found.push(binary);
  }
  found.sort((a, b) => b.major - a.major);
  const usable = found.find((f) => f.major >= serverMajor);
  return usable ? { usable, found } : { found };
}

function defaultCandidates(env: NodeJS.ProcessEnv): string[] {
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'pg_dump'));
  let side: string[] = [];
  try {
    side = fs
      .readdirSync('/usr/lib/postgresql')
      .map((major) => path.join('/usr/lib/postgresql', major, 'bin', 'pg_dump'));
  } catch {
    // not a Debian-style installation
  }
  return [...onPath, ...side].filter((file) => fs.existsSync(file));
}

function probe(file: string): PgDumpBinary | undefined {
  try {
    const out = execFileSync(file, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /(\d+)(?:\.(\d+))?/.exec(out);
    if (!match) return undefined;
    return { file, major: Number(match[1]), version: match[0] };
  } catch {
    return undefined;
  }
}
