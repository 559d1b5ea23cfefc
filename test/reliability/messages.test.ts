import { expect, it } from 'vitest';
import { redactUrl } from '../../src/config/database-url.ts';
import { runCliInProcess } from '../support/cli.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders, tableExists, tableModule, trackingRows } from '../support/migration-folder.ts';

/**
 * #10 items 13, 14, 19: what the tool says must be what happened, and never a
 * password — prompts included.
 */
const folder = migrationFolders();

it('redacts exactly the password the driver uses, even with an unencoded @ in it', () => {
  expect(redactUrl('postgres://u:S3cr@txyz@host/db')).toBe('postgres://u:***@host/db');
  expect(redactUrl('cannot connect to postgres://u:S3cr@txyz@host:5432/db?sslmode=require: refused')).toBe(
    'cannot connect to postgres://u:***@host:5432/db?sslmode=require: refused',
  );
  expect(redactUrl('postgresql://u:a@b@c@host')).toBe('postgresql://u:***@host');
  expect(redactUrl('postgres://user@host/db')).toBe('postgres://user@host/db');
  expect(redactUrl('postgres://host/db?password=S3cr@t&x=1')).toBe('postgres://host/db?password=***&x=1');
  expect(redactUrl('postgres://u:***@host/db')).toBe('postgres://u:***@host/db');
});

describeEachDialect('what the CLI says', (ctx) => {
  const cli = (dir: string, args: string[], io: { isTTY?: boolean; answer?: boolean } = {}) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args], io);

  it('`to 0` rolls back everything, a migration numbered 0 included', async () => {
    const dir = folder({ '000_zero.ts': tableModule('z'), '001_a.ts': tableModule('a') });
    expect((await cli(dir, ['latest'])).code).toBe(0);
    const run = await cli(dir, ['to', '0', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Rolled back 2 migrations/);
    expect(await trackingRows(ctx.database)).toEqual([]);
    expect(await tableExists(ctx.database, 'z')).toBe(false);
    // And with nothing applied, `to 0` applies nothing.
    const again = await cli(dir, ['to', '0', '--yes']);
    expect(again.code).toBe(0);
    expect(await trackingRows(ctx.database)).toEqual([]);
  });

  it('down and redo with nothing applied say "nothing to roll back" and do not ask', async () => {
    const dir = folder({ '001_a.ts': tableModule('a') });
    for (const command of ['down', 'redo']) {
      // A terminal that would answer "no": not asked at all, so exit 0.
      const run = await cli(dir, [command], { isTTY: true, answer: false });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Nothing to roll back/);
      expect(run.stdout).not.toMatch(/up to date/);
    }
  });

  it('redo reports one migration rolled back and applied again, not "Applied 2"', async () => {
    const dir = folder({ '001_a.ts': tableModule('a'), '002_b.ts': tableModule('b') });
    expect((await cli(dir, ['latest'])).code).toBe(0);
    const run = await cli(dir, ['redo', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/Applied 2/);
    expect(run.stdout).toMatch(/Redid 1 migration \(2_b/);
    const history = await ctx.database.query<{ version: unknown; action: string }>(
      'select version, action from schema_migrations_history order by id',
    );
    expect(history.map((h) => `${Number(h.version)} ${h.action}`)).toEqual([
      '1 up',
      '2 up',
      '2 down',
      '2 up',
    ]);
  });

  if (ctx.dialect === 'postgres') {
    it('a new enum value used in its own migration: rolled back, with what to do (55P04)', async () => {
      const dir = folder({
        '001_status.up.sql': "create type status as enum ('new');\ncreate table t (s status);\n",
        '002_archived.up.sql':
          "alter type status add value 'archived';\ninsert into t values ('archived');\n",
      });
      const run = await cli(dir, ['latest']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/002_archived\.up\.sql.*unsafe use of new value/);
      expect(run.stderr).toMatch(/move what uses it to the next migration.*migrate:no-transaction/);
      expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
      const labels = await ctx.database.query<{ label: string }>(
        "select enumlabel as label from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typname = 'status'",
      );
      expect(labels.map((l) => l.label)).toEqual(['new']);
    });
  }

  if (ctx.dialect === 'postgres') {
    it('answering "no" at a terminal: a proper message, nothing changed', async () => {
      const dir = folder({ '001_a.ts': tableModule('a') });
      expect((await cli(dir, ['latest'])).code).toBe(0);
      const run = await cli(dir, ['down'], { isTTY: true, answer: false });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/answered no; nothing was changed/);
      expect(run.stderr).not.toMatch(/run it in a terminal/);
      expect((await trackingRows(ctx.database)).map((r) => r.version)).toEqual([1]);
    });

    it('the prompt goes through redaction', async () => {
      const dir = folder({ '001_a.ts': tableModule('a') });
      expect((await cli(dir, ['latest'])).code).toBe(0);
      const questions: string[] = [];
      const { runCli } = await import('../../src/cli/main.ts');
      const code = await runCli(['--url', ctx.database.url, '--dir', dir, 'down'], {
        stdout: () => undefined,
        stderr: () => undefined,
        isTTY: true,
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
        env: { NO_COLOR: '1', KMIGRATE_NO_CODEGEN: '1' },
        cwd: dir,
      });
      expect(code).toBe(2);
      expect(questions).toHaveLength(1);
      expect(questions[0]).toMatch(/^Roll back 1 migration \(1_a\) on postgres:\/\/[^:]+:\*\*\*@/);
      const password = new URL(ctx.database.url).password;
      if (password) expect(questions[0]).not.toContain(password);
    });

    it('without a terminal the refusal closes every connection (no 10 s wait for the idle pool)', async () => {
      const dir = folder({ '001_a.ts': tableModule('a') });
      expect((await cli(dir, ['latest'])).code).toBe(0);
      const run = await cli(dir, ['down']);
      expect(run.code).toBe(2);
      // The refusal comes before the first query: Kysely never initialised its driver, so
      // db.destroy() alone left the eagerly connected pool open — and the process alive for
      // the pool's 10 s idle timeout. The server must see no session of ours.
      const sessions = async () =>
        (
          await ctx.database.query<{ n: unknown }>(
            "select count(*) as n from pg_stat_activity where application_name = 'kmigrate' and datname = current_database()",
          )
        ).map((r) => Number(r.n))[0];
      for (let i = 0; i < 40 && (await sessions()) !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await sessions()).toBe(0);
    });
  }
});
