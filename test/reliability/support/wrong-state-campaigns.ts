import { spawn } from 'node:child_process';
import path from 'node:path';
import type { EmbeddedServer } from '../../../src/dialects/postgres/embedded-server.ts';
import {
  createPostgresDatabaseOn,
  createTestDatabase,
  type Dialect,
  type TestDatabase,
} from '../../support/databases.ts';
import type { CampaignReport } from './campaign-report.ts';
import { createTempProject, REPO_ROOT, type TempProject } from './temp-project.ts';
import { trackingState } from './tracking-state.ts';

/**
 * #10's campaigns (items 1, 2, 8, 10), each trial through the real bin
 * (`node bin/kmigrate.cjs`, the built bundle) on a fresh database, each
 * checked on the database afterwards: tracking rows, history, tables.
 */

export interface Run {
  code: number;
  stderr: string;
}

/** The bin as a user runs it, in the project's folder (never the repository's config). */
export function kmigrate(
  project: TempProject,
  url: string,
  args: string[],
  env: Record<string, string> = {},
): { done: Promise<Run> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/kmigrate.cjs'), '--url', url, ...args], {
    cwd: project.root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', KMIGRATE_NO_CODEGEN: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stderr });
    });
  });
  return { done };
}

/** A module creating table t<v> (and dropping it), pausing `pauseMs` inside the step. */
export function tableStep(v: number, pauseMs = 0, extra = ''): string {
  return `${extra}export async function up(db) {
  await db.schema.createTable('t${v}').addColumn('id', 'integer').execute();
  ${pauseMs ? `await new Promise((r) => setTimeout(r, ${pauseMs}));` : ''}
}
export async function down(db) {
  await db.schema.dropTable('t${v}').execute();
}
`;
}

/** One line on stderr, starting `error:`, no stack trace, no unhandled event. */
export function assertOneLine(run: Run, what: string): string {
  const lines = run.stderr.split('\n').filter((l) => l.trim());
  if (lines.length !== 1 || !lines[0]!.startsWith('error: ') || /Unhandled|\n\s+at /.test(run.stderr))
    throw new Error(`${what}: expected one error line, got ${JSON.stringify(run.stderr.slice(0, 400))}`);
  return lines[0]!;
}

export async function tableNames(database: TestDatabase): Promise<Set<string>> {
  const rows =
    database.dialect === 'sqlite'
      ? await database.query<{ name: string }>(`select name from sqlite_master where type = 'table'`)
      : await database.query<{ name: string }>(
          `select tablename as name from pg_tables where schemaname = 'public'`,
        );
  return new Set(rows.map((r) => r.name));
}

/**
 * Rows 1..k all applied and tables t1..tk exactly (of t1..tMax), and a history
 * whose every `down` reverted the newest applied version (the bug of item 1:
 * `2 down` while 3 stayed applied). Returns k.
 */
export async function assertConsistentPrefix(database: TestDatabase, max: number): Promise<number> {
  const state = await trackingState(database);
  const rows = state.rows ?? [];
  const versions = rows.map((r) => r.version);
  const k = versions.length;
  if (versions.some((v, i) => v !== i + 1) || rows.some((r) => r.state !== 'applied'))
    throw new Error(
      `tracking rows are not a clean prefix: ${JSON.stringify(rows.map((r) => [r.version, r.state]))}`,
    );
  const tables = await tableNames(database);
  for (let v = 1; v <= max; v++) {
    if (tables.has(`t${v}`) !== v <= k)
      throw new Error(`table t${v} ${tables.has(`t${v}`) ? 'exists' : 'is missing'} with rows 1..${k}`);
  }
  const applied = new Set<number>();
  for (const h of state.history) {
    if (h.action === 'up') applied.add(h.version);
    if (h.action === 'down') {
      const newest = Math.max(...applied);
      if (h.version !== newest) throw new Error(`history reverted ${h.version} while ${newest} was applied`);
      applied.delete(h.version);
    }
  }
  if ([...applied].sort().join() !== versions.join()) throw new Error('history does not replay to the rows');
  return k;
}

type Trial = (trial: number) => Promise<string>;

/** Runs `trials` trials, counting outcomes; a thrown error is a failure with its message. */
export async function campaign(
  name: string,
  dialect: Dialect | 'postgres',
  trials: number,
  trial: Trial,
): Promise<CampaignReport> {
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const failures: string[] = [];
  for (let i = 0; i < trials; i++) {
    try {
      const outcome = await trial(i);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      outcomes.failed = (outcomes.failed ?? 0) + 1;
      failures.push(`trial ${i}: ${(error as Error).message}`);
    }
  }
  return {
    campaign: name,
    dialect,
    trials,
    failures: failures.length,
    outcomes,
    durationMs: performance.now() - started,
    failureDetails: failures.slice(0, 10),
  };
}

/** Item 1: `down` and `latest` started together, 2 of 3 applied. */
export function downVersusLatest(dialect: Dialect, trials: number): Promise<CampaignReport> {
  const project = createTempProject({
    '001_t1.mjs': tableStep(1),
    '002_t2.mjs': tableStep(2),
    '003_t3.mjs': tableStep(3, 100),
  });
  return campaign('down-vs-latest', dialect, trials, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const first = await kmigrate(project, database.url, ['up', '--step', '2']).done;
      if (first.code !== 0) throw new Error(`setup failed: ${first.stderr}`);
      const latest = kmigrate(project, database.url, ['latest']);
      const down = kmigrate(project, database.url, ['down', '--yes']);
      const [l, d] = await Promise.all([latest.done, down.done]);
      if (l.code !== 0) throw new Error(`latest exited ${l.code}: ${l.stderr}`);
      if (d.code !== 0 && d.code !== 4) throw new Error(`down exited ${d.code}: ${d.stderr}`);
      if (d.code === 4) assertOneLine(d, 'down refused');
      const k = await assertConsistentPrefix(database, 3);
      if (d.code === 4) {
        if (k !== 3) throw new Error(`down refused, yet rows end at ${k}`);
        return 'down-refused-history-changed';
      }
      if (k === 2) return 'latest-then-down';
      if (k === 3) return 'down-then-latest';
      throw new Error(`rows end at ${k}`);
    } finally {
      await database.drop();
    }
  }).finally(() => project.cleanup());
}

/** Item 2: two releases with different files under version 3, deployed at once to a fresh database. */
export function divergentFolders(dialect: Dialect, trials: number): Promise<CampaignReport> {
  const base = { '001_t1.mjs': tableStep(1), '002_t2.mjs': tableStep(2, 30) };
  const bar = createTempProject({ ...base, '003_bar.mjs': tableStep(3, 0).replaceAll("'t3'", "'bar'") });
  const baz = createTempProject({ ...base, '003_baz.mjs': tableStep(3, 0).replaceAll("'t3'", "'baz'") });
  return campaign('divergent-folders', dialect, trials, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const [a, b] = await Promise.all([
        kmigrate(bar, database.url, ['latest']).done,
        kmigrate(baz, database.url, ['latest']).done,
      ]);
      const codes = [a.code, b.code].sort().join();
      if (codes !== '0,4')
        throw new Error(`exit codes ${a.code} (bar) and ${b.code} (baz): ${a.stderr} ${b.stderr}`);
      const loser = a.code === 4 ? a : b;
      const winner = a.code === 0 ? 'bar' : 'baz';
      const line = assertOneLine(loser, 'the second release');
      // Under the lock (the two raced): ConflictingMigrationError names both. After the winner's
      // run ended: the history check calls the applied 3 "changed since applied", naming it.
      const both = /bar/.test(line) && /baz/.test(line);
      if (!both && !new RegExp(`changed since applied: 3_${winner}`).test(line))
        throw new Error(`the refusal names neither both nor the applied one: ${line}`);
      const state = await trackingState(database);
      const row3 = state.rows?.find((r) => r.version === 3);
      if (state.rows?.length !== 3 || row3?.name !== winner)
        throw new Error(`row 3 is ${row3?.name}, the winner ${winner}`);
      const tables = await tableNames(database);
      if (!tables.has(winner) || tables.has(winner === 'bar' ? 'baz' : 'bar'))
        throw new Error(`tables: ${[...tables].join(', ')}`);
      if (state.history.filter((h) => h.version === 3).length !== 1)
        throw new Error('3 has more than one history row');
      return both ? 'refused-naming-both' : 'refused-as-changed-since-applied';
    } finally {
      await database.drop();
    }
  }).finally(() => {
    bar.cleanup();
    baz.cleanup();
  });
}

/** Item 8: a step that never settles, stopped by --step-timeout. Alternates transactional / not. */
export function hungSteps(dialect: Dialect, trials: number): Promise<CampaignReport> {
  const hang = (nonTx: boolean) =>
    tableStep(2, 0, nonTx ? 'export const transaction = false;\n' : '').replace(
      "await db.schema.createTable('t2').addColumn('id', 'integer').execute();",
      "await db.schema.createTable('t2').addColumn('id', 'integer').execute();\n  if (!process.env.NO_HANG) await new Promise(() => {});",
    );
  return campaign('hung-steps', dialect, trials, async (trial) => {
    const nonTx = trial % 2 === 1;
    const project = createTempProject({
      '001_t1.mjs': tableStep(1),
      '002_t2.mjs': hang(nonTx),
      '003_t3.mjs': tableStep(3),
    });
    const database = await createTestDatabase(dialect);
    try {
      const timeout = String(300 + ((trial * 137) % 500));
      const run = await kmigrate(project, database.url, ['latest', '--step-timeout', timeout]).done;
      if (run.code !== 1) throw new Error(`exit ${run.code}: ${run.stderr}`);
      const line = assertOneLine(run, 'the hung step');
      if (!/002_t2/.test(line)) throw new Error(`does not name the step: ${line}`);
      const rows = (await trackingState(database)).rows?.map((r) => `${r.version}:${r.state}`).join() ?? '';
      const tables = await tableNames(database);
      if (nonTx ? rows !== '1:applied,2:running' : rows !== '1:applied' || tables.has('t2'))
        throw new Error(`rows ${rows}, t2 ${tables.has('t2') ? 'exists' : 'absent'}`);
      if (nonTx) {
        await database.query('drop table t2');
        const forced = await kmigrate(project, database.url, ['force', '2', '--not-applied']).done;
        if (forced.code !== 0) throw new Error(`force: ${forced.stderr}`);
      }
      // The lock is free and the rerun completes.
      const rerun = await kmigrate(project, database.url, ['latest', '--lock-timeout', '2000'], {
        NO_HANG: '1',
      }).done;
      if (rerun.code !== 0) throw new Error(`rerun exited ${rerun.code}: ${rerun.stderr}`);
      await assertConsistentPrefix(database, 3);
      return nonTx ? 'non-transactional-dirty-then-recovered' : 'transactional-rolled-back';
    } finally {
      await database.drop();
      project.cleanup();
    }
  });
}

/**
 * Item 10: the server ends the session mid-step — pg_terminate_backend from
 * another session, or an immediate shutdown and restart of the server — on a
 * transactional or a non-transactional step, at a random moment in it.
 */
export function connectionLoss(server: EmbeddedServer, trials: number): Promise<CampaignReport> {
  const slow = (nonTx: boolean) =>
    `${nonTx ? '-- migrate:no-transaction\n' : ''}create table t2 (id integer);\nselect pg_sleep(case when to_regclass('no_sleep') is null then 10 else 0 end) as conn_loss_me;\n`;
  return campaign('connection-loss', 'postgres', trials, async (trial) => {
    const kind = trial % 2 === 0 ? 'terminated' : 'server-restart';
    const nonTx = Math.floor(trial / 2) % 2 === 1;
    const project = createTempProject({
      '001_t1.mjs': tableStep(1),
      '002_t2.up.sql': slow(nonTx),
      '002_t2.down.sql': 'drop table t2;\n',
      '003_t3.mjs': tableStep(3),
    });
    const database = await createPostgresDatabaseOn(server.url);
    try {
      const running = kmigrate(project, database.url, ['latest']);
      const deadline = Date.now() + 60_000;
      let pid: number | undefined;
      while (pid === undefined && Date.now() < deadline) {
        const rows = await database.query<{ pid: number }>(
          `select pid from pg_stat_activity where query like '%conn_loss_me%' and pid <> pg_backend_pid()`,
        );
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      if (pid === undefined) throw new Error(`the step never started: ${(await running.done).stderr}`);
      await new Promise((r) => setTimeout(r, (trial * 97) % 300));
      if (kind === 'terminated') await database.query(`select pg_terminate_backend(${pid})`);
      else await server.crashAndRestart();
      const run = await running.done;
      const rows = (await trackingState(database)).rows?.map((r) => `${r.version}:${r.state}`).join() ?? '';
      const tables = await tableNames(database);
      // A restart can take back step 1's commit (steps commit asynchronously; the run's end flushes,
      // docs/reliability.md): then the truth is exit 4 naming it, no row and no table of it, and the
      // rerun below applies it again. Otherwise: exit 1 naming the step that was cut.
      const tookBack = kind === 'server-restart' && run.code === 4;
      if (run.code !== 1 && !tookBack) throw new Error(`${kind}: exit ${run.code}: ${run.stderr}`);
      const line = assertOneLine(run, kind);
      if (!/002_t2/.test(line)) throw new Error(`does not name the step: ${line}`);
      if (tookBack) {
        if (!/took back 1 step\(s\) it had committed \(1_t1\)/.test(line) || rows !== '' || tables.has('t1'))
          throw new Error(
            `${kind}: exit 4, rows ${rows}, t1 ${tables.has('t1') ? 'exists' : 'absent'}: ${line}`,
          );
      } else if (
        nonTx ? rows !== '1:applied,2:running' || !tables.has('t2') : rows !== '1:applied' || tables.has('t2')
      )
        throw new Error(`${kind}: rows ${rows}, t2 ${tables.has('t2') ? 'exists' : 'absent'}: ${line}`);
      if (nonTx) {
        await database.query('drop table t2');
        const forced = await kmigrate(project, database.url, ['force', '2', '--not-applied']).done;
        if (forced.code !== 0) throw new Error(`force: ${forced.stderr}`);
      }
      await database.query('create table no_sleep ()');
      const rerun = await kmigrate(project, database.url, ['latest']).done;
      if (rerun.code !== 0) throw new Error(`rerun exited ${rerun.code}: ${rerun.stderr}`);
      const after = (await trackingState(database)).rows?.map((r) => `${r.version}:${r.state}`).join();
      if (after !== '1:applied,2:applied,3:applied') throw new Error(`after the rerun: ${after}`);
      if (tookBack)
        return `${kind}-${nonTx ? 'non-transactional' : 'transactional'}-commit-taken-back-exit-4`;
      return `${kind}-${nonTx ? 'non-transactional-dirty' : 'transactional-rolled-back'}`;
    } finally {
      await database.drop();
      project.cleanup();
    }
  });
}
