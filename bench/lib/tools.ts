/**
 * How each tool is started for B2/B4: always as its own process, on a fresh
 * database, timed from spawn to exit (what a deploy step costs).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BenchContext } from './context.ts';
import { type ProcessRun, runChecked } from './run-process.ts';
import type { BenchDialect, Workload } from './workload.ts';

export type ToolName = 'psql' | 'sqlite-exec' | 'ours-sql' | 'ours-ts' | 'kysely-ts' | 'dbmate';

export interface Tool {
  name: ToolName;
  label: string;
  dialects: readonly BenchDialect[];
  /** Tracking table and the SQL counting its rows, for the after-run check. */
  trackingCount?: string;
  run(ctx: BenchContext, w: Workload, url: string): Promise<ProcessRun>;
}

const require = createRequire(import.meta.url);

/** The Go binary the dbmate npm package ships in its platform package (its JS wrapper only spawns it). */
export function dbmateBinary(): string {
  const pkg = require.resolve(`@dbmate/${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(pkg), 'bin', 'dbmate');
}

/**
 * Environment for our CLI: no codegen, no colours, and the bundle that
 * bench/run.ts built at its start even if someone edits src/ meanwhile.
 */
export function oursEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KMIGRATE_NO_CODEGEN: '1',
    NO_COLOR: '1',
    NODE_ENV: 'production',
    KMIGRATE_BIN_MODE: 'bundle',
  };
}

export function oursLatestArgs(ctx: BenchContext, url: string, dir: string): string[] {
  return [path.join(ctx.root, 'bin', 'kmigrate.mjs'), 'latest', '--url', url, '--dir', dir, '--no-codegen'];
}

export const TOOLS: readonly Tool[] = [
  {
    name: 'psql',
    label: 'psql -1 (floor)',
    dialects: ['postgres'],
    run: (_ctx, w, url) =>
      runChecked('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', w.concatenatedFile, '-d', url]),
  },
  {
    name: 'sqlite-exec',
    label: 'one exec in one transaction (floor)',
    dialects: ['sqlite'],
    run: (ctx, w, url) =>
      runChecked('node', [
        path.join(ctx.root, 'bench', 'peers', 'sqlite-exec.mjs'),
        url.replace(/^sqlite:/, ''),
        w.concatenatedFile,
      ]),
  },
  {
    name: 'ours-sql',
    label: 'kmigrate, .up.sql files',
    dialects: ['postgres', 'sqlite'],
    trackingCount: `select count(*) as n from schema_migrations where state = 'applied'`,
    // cwd is the workload folder: no kysely.config.ts there, like a deploy that passes --url.
    run: (ctx, w, url) =>
      runChecked('node', oursLatestArgs(ctx, url, w.sqlDir), { cwd: w.root, env: oursEnv() }),
  },
  {
    name: 'ours-ts',
    label: 'kmigrate, TS modules',
    dialects: ['postgres', 'sqlite'],
    trackingCount: `select count(*) as n from schema_migrations where state = 'applied'`,
    run: (ctx, w, url) =>
      runChecked('node', oursLatestArgs(ctx, url, w.tsDir), { cwd: w.root, env: oursEnv() }),
  },
  {
    name: 'kysely-ts',
    label: "Kysely's Migrator, TS modules",
    dialects: ['postgres', 'sqlite'],
    trackingCount: 'select count(*) as n from kysely_migration',
    run: (ctx, w, url) =>
      runChecked(
        'node',
        [
          '--import',
          path.join(ctx.root, 'bench', 'peers', 'register-ts-hooks.mjs'),
          path.join(ctx.root, 'bench', 'peers', 'kysely-latest.mjs'),
          w.dialect,
          url,
          w.tsDir,
        ],
        { cwd: w.root },
      ),
  },
  {
    name: 'dbmate',
    label: 'dbmate',
    dialects: ['postgres', 'sqlite'],
    trackingCount: 'select count(*) as n from schema_migrations',
    run: (_ctx, w, url) =>
      runChecked(dbmateBinary(), [
        '--url',
        w.dialect === 'postgres' ? `${url}?sslmode=disable` : url,
        '--migrations-dir',
        w.dbmateDir,
        '--no-dump-schema',
        'up',
      ]),
  },
];
