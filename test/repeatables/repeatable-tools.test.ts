import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createMigrator } from '../../src/index.ts';
import { computeIntegritySum } from '../../src/sources/integrity-sum.ts';
import { codegenProject } from '../codegen/codegen-project.ts';
import { plain } from '../drift/fixtures.ts';
import { runCliInProcess, runCliProcess } from '../support/cli.ts';
import { DIALECTS } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { migrationFolders } from '../support/migration-folder.ts';

const folder = migrationFolders();

const USERS = {
  '001_users.up.sql':
    'create table users (id integer primary key, email text not null, active integer not null default 1);\n',
  '001_users.down.sql': 'drop table users;\n',
};
const VIEW =
  'drop view if exists active_users;\ncreate view active_users as select id, email from users where active = 1;\n';
/** Not runnable on top of itself: the second run finds the view already there. */
const NOT_RERUNNABLE = 'create view active_users as select id, email from users where active = 1;\n';

describeEachDialect('repeatable migrations in the tools', (ctx) => {
  const cli = (dir: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliInProcess(['--url', ctx.database.url, '--dir', dir, ...args], { cwd: path.dirname(dir), env });

  it('create --repeatable writes R__name.sql (.ts with --ts), updates the sum, refuses an existing one; odd names keep their error', async () => {
    const dir = folder(USERS);
    expect((await cli(dir, ['sum'])).code).toBe(0);
    const sql = await cli(dir, ['create', '--repeatable', 'Active users']);
    expect(sql.code).toBe(0);
    expect(sql.stdout).toMatch(/Created .*R__active_users\.sql[\s\S]*Updated .*kmigrate\.sum/);
    expect(fs.readFileSync(path.join(dir, 'R__active_users.sql'), 'utf8')).toMatch(/^-- Active users\n/);
    const ts = await cli(dir, ['create', '--repeatable', '--ts', 'audit function']);
    expect(ts.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'R__audit_function.ts'), 'utf8')).toMatch(
      /export async function up/,
    );
    // The sum covers them, after every versioned file; the folder still passes its check.
    const sum = fs.readFileSync(path.join(dir, 'kmigrate.sum'), 'utf8');
    expect(
      sum
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['001_users.down.sql', '001_users.up.sql', 'R__active_users.sql', 'R__audit_function.ts']);
    expect((await cli(dir, ['sum', '--check'])).code).toBe(0);
    // A comment-only SQL repeatable and an empty up() are valid no-ops.
    expect((await cli(dir, ['latest'])).code).toBe(0);

    const again = await cli(dir, ['create', '--repeatable', 'active users', '--ts']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: R__active_users\.sql: already exists/m);

    // Still bad names, with the error they had.
    for (const bad of ['R__x.up.sql', 'R_x.sql', 'R__.sql']) {
      const odd = folder({ ...USERS, [bad]: 'select 1;\n' });
      const run = await cli(odd, ['status']);
      expect(run.code, bad).toBe(2);
      expect(run.stderr, bad).toMatch(
        new RegExp(`^error: ${bad.replace(/\./g, '\\.')}: does not follow the naming rule`, 'm'),
      );
    }
  });

  it('a repeatable that cannot run in a transaction, or exports a down, is refused before the database is touched (exit 2)', async () => {
    const concurrently = folder({
      ...USERS,
      'R__idx.sql': 'create index concurrently users_email on users (email);\n',
    });
    const noTx = folder({ ...USERS, 'R__x.sql': '-- migrate:no-transaction\nselect 1;\n' });
    const withDown = folder({
      ...USERS,
      'R__y.ts': 'export async function up() {}\nexport async function down() {}\n',
    });
    if (ctx.dialect === 'postgres') {
      const run = await cli(concurrently, ['latest']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^error: R__idx\.sql: .*cannot run in a transaction, but a repeatable migration always does/m,
      );
    }
    const a = await cli(noTx, ['latest']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^error: R__x\.sql: a repeatable migration always runs in a transaction/m);
    const b = await cli(withDown, ['latest']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: R__y\.ts: exports a `down`/m);
  });

  it('verify applies them after the versioned steps and again on top of themselves; one that cannot run twice is a finding (exit 3)', async () => {
    const good = folder({ ...USERS, 'R__active_users.sql': VIEW });
    const ok = await cli(good, ['--json', 'verify']);
    expect(ok.stderr).not.toMatch(/error/);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checked: 1, total: 1 });

    const bad = folder({ ...USERS, 'R__active_users.sql': NOT_RERUNNABLE });
    const run = await cli(bad, ['verify']);
    expect(run.code).toBe(3);
    expect(plain(run.stdout + run.stderr)).toMatch(
      /R__active_users fails when applied again on top of itself/,
    );
    const json = JSON.parse((await cli(bad, ['--json', 'verify'])).stdout);
    expect(json.findings).toMatchObject([
      { kind: 'repeatable-failed', name: 'R__active_users', again: true },
    ]);
    // The configured database was never touched.
    expect(
      await ctx.database.query(
        ctx.dialect === 'sqlite'
          ? "select name from sqlite_master where name = 'users'"
          : "select tablename from pg_tables where tablename = 'users'",
      ),
    ).toEqual([]);
  });

  it('drift builds the applied repeatables on the scratch database: none after latest, a dropped view after', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': VIEW });
    expect((await cli(dir, ['latest'])).code).toBe(0);
    const clean = await cli(dir, ['drift']);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    await ctx.database.query('drop view active_users');
    const drift = await cli(dir, ['drift']);
    expect(drift.code).toBe(3);
    expect(plain(drift.stdout)).toMatch(/^\s*- view .*active_users/m);
  });

  it('lint lints them after the versioned migrations: pending ones, and all with --all', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': VIEW });
    const pending = JSON.parse((await cli(dir, ['--json', 'lint'])).stdout);
    expect(pending.linted.map((l: { name: string }) => l.name)).toEqual(['users', 'R__active_users']);
    expect((await cli(dir, ['latest'])).code).toBe(0);
    const none = JSON.parse((await cli(dir, ['--json', 'lint'])).stdout);
    expect(none.linted).toEqual([]);
    const all = JSON.parse((await cli(dir, ['--json', 'lint', '--all'])).stdout);
    expect(all.linted.map((l: { name: string }) => l.name)).toEqual(['users', 'R__active_users']);
  });

  it('reset rebuilds them with the migrations (before the seeds)', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': VIEW });
    fs.mkdirSync(path.join(path.dirname(dir), 'seeds'));
    // The seed reads the view: it exists by the time seeds run.
    fs.writeFileSync(
      path.join(path.dirname(dir), 'seeds', '001_users.sql'),
      "insert into users (id, email) select 1, 'ada@example.com' where not exists (select 1 from active_users);\n",
    );
    expect((await cli(dir, ['latest'])).code).toBe(0);
    const reset = await cli(dir, ['reset', '--yes']);
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/R__active_users[\s\S]*001_users\.sql/);
    expect(await ctx.database.query('select name from schema_migrations_repeatables')).toEqual([
      { name: 'R__active_users' },
    ]);
    expect(await ctx.database.query('select id, email from active_users')).toEqual([
      { id: 1, email: 'ada@example.com' },
    ]);
  });

  it('three processes at once: each repeatable applied exactly once, all exit 0', async () => {
    const dir = folder({
      ...USERS,
      'R__a.sql': VIEW,
      'R__b.sql': 'drop view if exists b;\ncreate view b as select 1 as one;\n',
    });
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        runCliProcess(['--url', ctx.database.url, '--dir', dir, 'latest'], { timeoutMs: 60_000 }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const history = await ctx.database.query<{ name: string; action: string }>(
      "select name, action from schema_migrations_history where action = 'repeatable' order by id",
    );
    expect(history.map((h) => h.name)).toEqual(['R__a', 'R__b']);
    expect(await ctx.database.query('select name from schema_migrations_repeatables order by name')).toEqual([
      { name: 'R__a' },
      { name: 'R__b' },
    ]);
  }, 90_000);

  it('the facade returns them as data: latest (repeatables), plan (plannedRepeatables), status (repeatables)', async () => {
    const dir = folder({ ...USERS, 'R__active_users.sql': VIEW });
    const migrator = createMigrator({ url: ctx.database.url, migrationFolder: dir });
    try {
      const plan = await migrator.plan();
      expect(plan.steps.map((s) => s.version)).toEqual([1]);
      expect(plan.repeatables).toMatchObject([{ id: 'R__active_users', reason: 'pending' }]);
      expect(plan.repeatables[0]!.statements.join('\n')).toMatch(/create view active_users/);
      const run = await migrator.latest();
      expect(run.results.map((r) => [r.version, r.status])).toEqual([[1, 'applied']]);
      expect(run.repeatables).toMatchObject([
        { id: 'R__active_users', file: 'R__active_users.sql', status: 'applied' },
      ]);
      const status = await migrator.status();
      expect(status.repeatables).toMatchObject([{ id: 'R__active_users', state: 'applied' }]);
      fs.writeFileSync(path.join(dir, 'R__active_users.sql'), VIEW.replace('active = 1', 'active = 2'));
      expect((await migrator.latest()).repeatables).toMatchObject([
        { id: 'R__active_users', status: 'reapplied' },
      ]);
    } finally {
      await migrator.close();
    }
  });
});

it('the integrity sum keeps the lines of the versioned files when repeatables are added (they sort after them)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-sum-'));
  try {
    const source = path.resolve(import.meta.dirname, '../../migrations');
    for (const file of fs.readdirSync(source))
      fs.copyFileSync(path.join(source, file), path.join(root, file));
    const before = computeIntegritySum(root);
    const committed = fs.readFileSync(path.join(source, 'kmigrate.sum'), 'utf8');
    expect(committed).toContain(before.lines.map((l) => `${l.file} h1:${l.hash}`).join('\n'));
    fs.writeFileSync(path.join(root, 'R__views.sql'), 'select 1;\n');
    const after = computeIntegritySum(root);
    expect(after.lines.slice(0, before.lines.length)).toEqual(before.lines);
    expect(after.lines.at(-1)!.file).toBe('R__views.sql');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

for (const dialect of DIALECTS) {
  it(`[${dialect}] schema dump includes what the repeatables build, after the versioned steps`, async () => {
    const p = codegenProject({ ...USERS, 'R__active_users.sql': VIEW });
    try {
      const run = await p.cli(['schema', 'dump', '--dialect', dialect]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const text = fs.readFileSync(path.join(p.root, 'generated', 'schema.sql'), 'utf8');
      expect(text).toMatch(
        new RegExp(`^view ${dialect === 'postgres' ? 'public\\.' : ''}active_users$`, 'm'),
      );
      expect(text).not.toMatch(/schema_migrations/);
    } finally {
      p.cleanup();
    }
  });
}

it('codegen types the views the repeatables build; an edited repeatable makes codegen --check stale', async () => {
  const p = codegenProject({ ...USERS, 'R__active_users.sql': VIEW });
  try {
    const run = await p.cli(['codegen']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(p.read()).toMatch(/export interface ActiveUsers \{/);
    expect((await p.cli(['codegen', '--check'])).code).toBe(0);
    p.write('R__active_users.sql', VIEW.replace('select id, email', 'select id'));
    expect((await p.cli(['codegen', '--check'])).code).toBe(3);
  } finally {
    p.cleanup();
  }
}, 120_000);
