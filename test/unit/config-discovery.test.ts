/** #12.4: the config is found upward from the current folder; kysely-ctl's kysely.config.ts shape is read. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../src/config/load-config.ts';
import { getStatus } from '../../src/index.ts';
import { runCliInProcess } from '../support/cli.ts';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-config-'));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

it('finds kysely.config.ts in a parent folder; relative paths resolve against the config', async () => {
  const root = tree({
    'kysely.config.ts': "export default { migrationsDir: 'db/migrations', table: 'versions' };\n",
    'db/migrations/001_a.up.sql': 'create table a (id integer);\n',
    'src/deep/er/.keep': '',
  });
  const config = await loadConfig({ cwd: path.join(root, 'src', 'deep', 'er'), env: {} });
  expect(config.configFile).toBe(path.join(root, 'kysely.config.ts'));
  expect(config.migrationsPath).toBe(path.join(root, 'db', 'migrations'));
  expect(config.table).toBe('versions');
  // The CLI from the subfolder, and the API with only a cwd, see the same folder.
  const status = await runCliInProcess(['--url', 'sqlite::memory:', 'status', '--json'], {
    cwd: path.join(root, 'src', 'deep', 'er'),
  });
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout).entries.map((e: { version: number }) => e.version)).toEqual([1]);
  const report = await getStatus('sqlite::memory:', { cwd: path.join(root, 'src') });
  expect(report.entries.map((e) => e.version)).toEqual([1]);
});

it("stops at the project's root: a package without a config does not pick up its parent folder's", async () => {
  const root = tree({
    'kysely.config.ts': "export default { table: 'parents' };\n",
    'packages/app/package.json': '{ "private": true }\n',
    'packages/app/src/.keep': '',
    'packages/lib/src/.keep': '',
  });
  // Inside a package (package.json in packages/app): the search ends there.
  const inPackage = await loadConfig({ cwd: path.join(root, 'packages', 'app', 'src'), env: {} });
  expect(inPackage.configFile).toBeUndefined();
  expect(inPackage.table).toBe('schema_migrations');
  // No package.json on the way up: the parent's config is found as before.
  const noPackage = await loadConfig({ cwd: path.join(root, 'packages', 'lib', 'src'), env: {} });
  expect(noPackage.configFile).toBe(path.join(root, 'kysely.config.ts'));
  expect(noPackage.table).toBe('parents');
});

it('--config still wins over the discovered file', async () => {
  const root = tree({
    'kysely.config.ts': "export default { table: 'found' };\n",
    'other.config.mjs': "export default { table: 'named' };\n",
  });
  const config = await loadConfig({ cwd: root, env: {}, configFile: 'other.config.mjs' });
  expect(config.table).toBe('named');
});

it("reads kysely-ctl's shape: migrations.migrationFolder/TableName/TableSchema; its own settings are ignored", () => {
  const config = resolveConfig(
    {
      dialect: 'pg',
      dialectConfig: {},
      migrations: {
        migrationFolder: 'db/migrations',
        migrationTableName: 'kysely_migration',
        migrationTableSchema: 'app',
        allowJS: true,
        getMigrationPrefix: () => '',
      },
      seeds: { seedFolder: 'seeds' },
      destroyOnExit: true,
    },
    { cwd: '/project', env: { DATABASE_URL: 'postgres://u@h/db' } },
  );
  expect(config.migrationsPath).toBe(path.join('/project', 'db', 'migrations'));
  expect(config.table).toBe('kysely_migration');
  expect(config.schema).toBe('app');
});

it('refuses what it cannot honour, naming the key: an unknown key, a kysely-ctl setting we do not support, connection code without a URL', () => {
  expect(() => resolveConfig({ migrationDir: 'x' }, { env: {} })).toThrow(
    /config "migrationDir": is not a known setting/,
  );
  expect(() => resolveConfig({ migrations: { provider: {} } }, { env: {} })).toThrow(
    /config "migrations.provider": is a kysely-ctl setting kmigrate does not support/,
  );
  // Falling back to the SQLite default would migrate another database than the file describes.
  expect(() => resolveConfig({ dialect: 'pg', dialectConfig: {} }, { env: {} })).toThrow(
    /config "dialect": is kysely-ctl connection code.*set databaseUrl/,
  );
});
