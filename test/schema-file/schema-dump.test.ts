import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { scratchEnv } from '../codegen/codegen-project.ts';
import { runCliInProcess } from '../support/cli.ts';
import { DIALECTS } from '../support/databases.ts';
import { migrationFolders } from '../support/migration-folder.ts';

const folder = migrationFolders();

const MIGRATIONS = {
  '001_users.up.sql':
    'create table users (id integer primary key, email text not null);\ncreate index users_email on users (email);\n',
  '001_users.down.sql': 'drop table users;\n',
  '002_views.up.sql': 'create view active_users as\nselect id,\n  email\nfrom users;\n',
  '002_views.down.sql': 'drop view active_users;\n',
};

function project(extraConfig = '') {
  const dir = folder(MIGRATIONS);
  const root = path.dirname(dir);
  const file = path.join(root, 'generated', 'schema.sql');
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCliInProcess(args, { cwd: root, env: { ...scratchEnv(), ...env } });
  if (extraConfig)
    fs.writeFileSync(path.join(root, 'kysely.config.ts'), `export default { ${extraConfig} };\n`);
  return { dir, root, file, cli, read: () => fs.readFileSync(file, 'utf8') };
}

for (const dialect of DIALECTS) {
  it(`[${dialect}] schema dump writes a sorted, dialect-labelled file, byte-identical on a rebuild; --check finds a stale one (exit 3, diff) and ignores comment-only edits`, async () => {
    const p = project();
    const first = await p.cli(['schema', 'dump', '--dialect', dialect]);
    expect(first.code).toBe(0);
    const text = p.read();
    expect(text).toMatch(new RegExp(`^-- dialect: ${dialect}$`, 'm'));
    const q = dialect === 'postgres' ? 'public.' : '';
    const tables = [...text.matchAll(/^table (\S+)$/gm)].map((m) => m[1]);
    expect(tables).toEqual([`${q}users`]); // the tracking tables are left out
    expect(text).toMatch(new RegExp(`^  column ${q}users\\.email$`, 'm'));
    expect(text).toMatch(new RegExp(`^  index ${q}users_email$`, 'm'));
    expect(text).toMatch(new RegExp(`^view ${q}active_users$`, 'm'));

    expect((await p.cli(['schema', 'dump', '--dialect', dialect])).stdout).toMatch(/already up to date/);
    expect(p.read()).toBe(text);
    expect((await p.cli(['schema', 'dump', '--check', '--dialect', dialect])).code).toBe(0);

    // A comment changes the migrations' fingerprint but not the schema: still up to date.
    fs.appendFileSync(path.join(p.dir, '001_users.up.sql'), '-- a note\n');
    expect((await p.cli(['schema', 'dump', '--check', '--dialect', dialect])).code).toBe(0);

    fs.writeFileSync(path.join(p.dir, '003_age.up.sql'), 'alter table users add column age integer;\n');
    const stale = await p.cli(['schema', 'dump', '--check', '--dialect', dialect]);
    expect(stale.code).toBe(3);
    expect(stale.stdout).toMatch(new RegExp(`^\\+  column ${q}users\\.age$`, 'm'));
    expect(stale.stderr).toMatch(
      /generated\/schema\.sql is out of date with the migrations; run `kmigrate schema dump`/,
    );
    expect(p.read()).toBe(text); // --check changes nothing
  });
}

it('--check on a missing file exits 3', async () => {
  const p = project();
  const run = await p.cli(['schema', 'dump', '--check', '--dialect', 'sqlite']);
  expect(run.code).toBe(3);
  expect(run.stderr).toMatch(/generated\/schema\.sql does not exist/);
  expect(fs.existsSync(p.file)).toBe(false);
});

it('after a run that applied something in development the file is rewritten by itself (not in production), and matches --check', async () => {
  const p = project("codegen: { afterMigrate: false }, schemaFile: { dialect: 'sqlite' }");
  const url = `sqlite:${path.join(p.root, 'dev.sqlite')}`;
  const on = { KMIGRATE_NO_CODEGEN: '' };
  const prod = await p.cli(['--url', url, 'up', '--step', '1'], { ...on, NODE_ENV: 'production' });
  expect(prod.code).toBe(0);
  expect(fs.existsSync(p.file)).toBe(false);

  const run = await p.cli(['--url', url, 'latest'], on);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/Rewrote generated\/schema\.sql \(sqlite\)/);
  expect(p.read()).toMatch(/^view active_users$/m);
  const mtime = fs.statSync(p.file).mtimeMs;

  fs.writeFileSync(path.join(p.dir, '003_notes.up.sql'), 'create table notes (id integer primary key);\n');
  const again = await p.cli(['--url', url, 'latest'], on);
  expect(again.code).toBe(0);
  expect(p.read()).toMatch(/^table notes$/m);
  expect(fs.statSync(p.file).mtimeMs).toBeGreaterThanOrEqual(mtime);
  // The file matches what `schema dump --check` expects.
  expect((await p.cli(['schema', 'dump', '--check'])).code).toBe(0);
});
