import path from 'node:path';
import { REPO_ROOT } from './temp-project.ts';
import { childEnv, spawnTs, type TsProcess } from './ts-process.ts';

/** What `npm run migrate` runs, under tsx's loader in ONE process (the tsx CLI would add a parent process). */
const CLI = path.join(REPO_ROOT, 'scripts/migrate.ts');

/** Starts the real CLI as ONE process, so that a signal sent to it reaches the migrator itself. */
export function spawnCli(args: string[], cwd: string): TsProcess {
  return spawnTs(CLI, args, { cwd, env: childEnv() });
}

/** Polls `check` every 50 ms until it is true; throws after `timeoutMs` with `what`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 30_000,
) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends `signal` and waits for the exit; throws when the process is still there after `timeoutMs`. */
export async function stopWith(
  p: TsProcess,
  signal: NodeJS.Signals,
  timeoutMs = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const sent = performance.now();
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, ms: Math.round(performance.now() - sent) };
}

/** The non-empty stderr lines. */
export function stderrLines(p: TsProcess): string[] {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l.trim());
}

/** A TS migration that creates `table`, writes `marker`, then waits `ms` (PostgreSQL: in pg_sleep on the server). */
export function slowModule(options: {
  table: string;
  marker: string;
  transactional: boolean;
  postgres: boolean;
  /** The step catches the first cancellation and sleeps again (a migration that fights the clean-up). */
  stubborn?: boolean;
}): string {
  const wait = options.postgres
    ? `db.selectNoFrom((eb) => eb.fn('pg_sleep', [eb.val(60)]).as('x')).execute()`
    : 'new Promise((resolve) => setTimeout(resolve, 60_000))';
  const body = options.stubborn ? `try { await ${wait}; } catch {}\n  await ${wait};` : `await ${wait};`;
  return `import fs from 'node:fs';
import type { Kysely } from 'kysely';
${options.transactional ? '' : 'export const transaction = false;\n'}export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('${options.table}').addColumn('id', 'integer').execute();
  fs.writeFileSync(${JSON.stringify(options.marker)}, 'started');
  ${body}
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('${options.table}').execute();
}
`;
}
