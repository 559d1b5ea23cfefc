/**
 * How each tool is started for B2/B4: always as its own process, on a fresh
 * database, timed from spawn to exit (what a deploy step costs).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BenchContext } from './context.ts';
import { adminQuery } from './postgres-server.ts';
import { runChecked } from './run-process.ts';
import type { BenchDialect, Workload } from './workload.ts';

export type ToolName =
  | 'psql'
  | 'sqlite3'
  | 'ours-bin'
  | 'ours-bin-async'
  | 'ours-inproc'
  | 'kysely-ts'
  | 'dbmate';

export interface ToolRun {
  ms: number;
  /** Peak RSS of the tool's process (KiB); absent in-process. */
  peakRssKiB?: number;
}

export interface Tool {
  name: ToolName;
  label: string;
  dialects: readonly BenchDialect[];
  /** A floor: what the database itself costs for the same SQL, not a migration tool. */
  floor?: boolean;
  /** A measurement, not a contender: left out of "best peer" and of the targets. */
  diagnostic?: boolean;
  /** Tracking table and the SQL counting its rows, for the after-run check. */
  trackingCount?: string;
  /** Runs on the fresh database before the timed run (not timed). */
  prepare?(url: string): Promise<void>;
  run(ctx: BenchContext, w: Workload, url: string): Promise<ToolRun>;
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
  return [path.join(ctx.root, 'bin', 'kmigrate.cjs'), 'latest', '--url', url, '--dir', dir, '--no-codegen'];
}

const OURS_TRACKING = `select count(*) as n from schema_migrations where state = 'applied'`;

export const TOOLS: readonly Tool[] = [
  {
    name: 'psql',
    label: 'psql -1 (floor)',
    dialects: ['postgres'],
    floor: true,
    run: (_ctx, w, url) =>
      runChecked('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', w.concatenatedFile, '-d', url], {
        peakRss: true,
      }),
  },
  {
    name: 'sqlite3',
    label: 'sqlite3, one transaction (floor)',
    dialects: ['sqlite'],
    floor: true,
    // The sqlite3 shell (C), WAL like every other tool, all ups between one BEGIN and COMMIT.
    run: (_ctx, w, url) =>
      runChecked('sqlite3', ['-bail', url.replace(/^sqlite:/, ''), `.read ${w.sqliteTransactionFile}`], {
        peakRss: true,
      }),
  },
  {
    name: 'ours-bin',
    label: 'kmigrate bin',
    dialects: ['postgres', 'sqlite'],
    trackingCount: OURS_TRACKING,
    // cwd is the workload folder: no kysely.config.ts there, like a deploy that passes --url.
    run: (ctx, w, url) =>
      runChecked('node', oursLatestArgs(ctx, url, w.sqlDir), { cwd: w.root, env: oursEnv(), peakRss: true }),
  },
  {
    name: 'ours-bin-async',
    label: 'kmigrate bin, database set to synchronous_commit = off (diagnostic)',
    dialects: ['postgres'],
    diagnostic: true,
    trackingCount: OURS_TRACKING,
    // What the per-migration durable commit costs: the same run with every commit asynchronous
    // (a database setting made for this measurement only; kmigrate never sets it).
    prepare: async (url) => {
      const name = new URL(url).pathname.slice(1);
      await adminQuery(url, [`alter database ${name} set synchronous_commit = off`]);
    },
    run: (ctx, w, url) =>
      runChecked('node', oursLatestArgs(ctx, url, w.sqlDir), { cwd: w.root, env: oursEnv(), peakRss: true }),
  },
  {
    name: 'ours-inproc',
    label: 'kmigrate in-process',
    dialects: ['postgres', 'sqlite'],
    trackingCount: OURS_TRACKING,
    // migrateToLatest(url) inside this process: opening, the run and closing, without Node's start-up.
    run: async (_ctx, w, url) => {
      const { migrateToLatest } = await import('../../src/index.ts');
      const started = performance.now();
      const results = await migrateToLatest(url, { config: { migrationsDir: w.sqlDir }, cwd: w.root });
      const ms = performance.now() - started;
      if (results.length !== w.n) throw new Error(`in-process: applied ${results.length} of ${w.n}`);
      return { ms };
    },
  },
  {
    name: 'kysely-ts',
    label: "Kysely's Migrator",
    dialects: ['postgres', 'sqlite'],
    trackingCount: 'select count(*) as n from kysely_migration',
    run: (ctx, w, url) => runChecked('node', kyselyPeerArgs(ctx, w, url), { cwd: w.root, peakRss: true }),
  },
  {
    name: 'dbmate',
    label: 'dbmate',
    dialects: ['postgres', 'sqlite'],
    trackingCount: 'select count(*) as n from schema_migrations',
    run: (_ctx, w, url) => runChecked(dbmateBinary(), dbmateArgs(w, url), { peakRss: true }),
  },
];

/** Kysely's Migrator on the workload's TS modules, its own process (bench/peers/kysely-latest.mjs). */
export function kyselyPeerArgs(ctx: BenchContext, w: Workload, url: string): string[] {
  return [
    '--import',
    path.join(ctx.root, 'bench', 'peers', 'register-ts-hooks.mjs'),
    path.join(ctx.root, 'bench', 'peers', 'kysely-latest.mjs'),
    w.dialect,
    url,
    w.tsDir,
  ];
}

export function dbmateArgs(w: Workload, url: string): string[] {
  return [
    '--url',
    w.dialect === 'postgres' ? `${url}?sslmode=disable` : url,
    '--migrations-dir',
    w.dbmateDir,
    '--no-dump-schema',
    'up',
  ];
}
