import fs from 'node:fs';
import path from 'node:path';
import type { BenchPostgres } from './postgres-server.ts';

/**
 * Scratch space: SQLite files, generated workloads, codegen output. Inside the
 * project so that the generated TS modules resolve `kysely` (and not under
 * node_modules, whose files tsx will not transform), but in git-ignored
 * .kmigrate/, out of tsc's and Biome's view (6,000 generated files).
 */
export const BENCH_TMP = path.resolve(import.meta.dirname, '..', '..', '.kmigrate', 'bench');

/** What every benchmark gets from bench/run.ts. */
export interface BenchContext {
  pg: BenchPostgres;
  /** BENCH_QUICK=1: small N and few repetitions, for development. */
  quick: boolean;
  /** Project root. */
  root: string;
  /** Scratch folder (git-ignored) for SQLite files and workloads. */
  tmp: string;
  log(line: string): void;
}

/** BENCH_DIALECTS=sqlite (or postgres): development runs of one dialect. */
export function benchDialects(): readonly ('postgres' | 'sqlite')[] {
  const wanted = process.env.BENCH_DIALECTS?.split(',').map((s) => s.trim());
  return (['postgres', 'sqlite'] as const).filter((d) => !wanted || wanted.includes(d));
}

/** A new SQLite file path under the scratch folder (any previous file removed). */
export function sqliteFile(ctx: BenchContext, name: string): { url: string; file: string; drop(): void } {
  const dir = path.join(ctx.tmp, 'sqlite');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.sqlite`);
  const drop = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
  };
  drop();
  return { url: `sqlite:${file}`, file, drop };
}
