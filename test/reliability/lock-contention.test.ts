import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableModule, trackingRows } from '../support/migration-folder.ts';
import { slowModule, spawnCli, stopWith, waitUntil } from './support/signal-process.ts';

/**
 * #10 item 11: a second migrator that cannot get the migration lock within
 * --lock-timeout gives up with exit 4 and one line naming the holder —
 * PostgreSQL: the backend (pid, application_name, state, since) from pg_locks
 * and pg_stat_activity; SQLite: the process (pid, host, since, command) the
 * holder wrote next to its `.kmigrate-lock`. The holder is a real CLI process
 * in the middle of a step. (A table lock a step needs: timeouts.test.ts.)
 */
const folder = migrationFolders();
const markers: string[] = [];
afterEach(() => {
  for (const m of markers.splice(0)) fs.rmSync(m, { force: true });
});

describeEachDialect('the migration lock held by another run', (ctx) => {
  it('the waiter gives up after --lock-timeout with exit 4 naming the holder', async () => {
    const postgres = ctx.dialect === 'postgres';
    const started = path.join(
      os.tmpdir(),
      `kmigrate-lock-${process.pid}-${Math.random().toString(36).slice(2)}`,
    );
    markers.push(started);
    const dir = folder({
      '001_a.ts': tableModule('a'),
      '002_slow.ts': slowModule({ table: 'b', marker: started, transactional: true, postgres }),
    });
    const holder = spawnCli(['--url', ctx.database.url, '--dir', dir, 'latest', '--no-codegen'], dir);
    try {
      await waitUntil(
        () => fs.existsSync(started),
        () => `the holder's step to start: ${holder.stderr()}`,
      );
      const waiter = await runCliInProcess([
        '--url',
        ctx.database.url,
        '--dir',
        dir,
        'latest',
        '--no-codegen',
        '--lock-timeout',
        '500',
      ]);
      expect(waiter.code, waiter.stderr).toBe(4);
      const lines = waiter.stderr.split('\n').filter((l) => l.trim());
      expect(lines, waiter.stderr).toHaveLength(1);
      if (postgres) {
        const [lock] = await ctx.database.query<{ pid: number }>(
          "select pid from pg_locks where locktype = 'advisory' and granted",
        );
        expect(lines[0]).toMatch(
          new RegExp(
            `^error: another migration run held the lock pg_advisory_lock\\(-?\\d+\\) for public\\.schema_migrations for more than 500 ms, held by pid ${lock!.pid} \\(application_name 'kmigrate', .*since .* s ago`,
          ),
        );
      } else {
        expect(lines[0]).toMatch(
          new RegExp(
            `^error: another migration run held the lock the SQLite migration lock \\(\\.kmigrate-lock file\\) for more than 500 ms, held by pid ${holder.child.pid} \\(on ${os.hostname()}, since .* s ago, running \`.*migrate\\.ts`,
          ),
        );
      }
      expect(lines[0]).toMatch(/wait for it to finish, or raise --lock-timeout/);
    } finally {
      const exit = await stopWith(holder, 'SIGINT');
      expect(exit.code, holder.stderr()).toBe(130);
    }
    // The holder was interrupted cleanly: 1 applied, 2 rolled back; the lock (and its holder note) gone.
    expect((await trackingRows(ctx.database)).map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
    if (!postgres) {
      const file = fs.realpathSync(ctx.database.url.replace(/^sqlite:/, ''));
      expect(fs.existsSync(`${file}.kmigrate-lock.holder`)).toBe(false);
    }
  }, 120_000);
});
