import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/engine/errors.ts';
import { FileMigrationProvider } from '../../src/sources/file-migration-provider.ts';
import { formatMigrationId, parseMigrationName } from '../../src/sources/migration-name.ts';

/** An in-memory folder: the provider's I/O is injected, so no disk is needed. */
function provider(files: Record<string, string | Buffer>, modules: Record<string, unknown> = {}) {
  return new FileMigrationProvider({
    migrationFolder: '/m',
    fs: {
      readdir: (async () => Object.keys(files)) as never,
      readFile: (async (p: string) => {
        const name = String(p).replace('/m/', '');
        const content = files[name];
        if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return Buffer.isBuffer(content) ? content : Buffer.from(content);
      }) as never,
    },
    importModule: async (p) => {
      const name = p.replace('/m/', '');
      if (!(name in modules)) throw new Error(`Cannot find module ${name}`);
      const mod = modules[name];
      if (mod instanceof Error) throw mod;
      return mod;
    },
  });
}

const up = async () => undefined;

describe('FileMigrationProvider', () => {
  it('loads TS modules, SQL pairs and dbmate files in numeric order, ignoring other files', async () => {
    const p = provider(
      {
        '10_ten.up.sql': 'select 1;',
        '002_two.ts': 'export async function up() {}',
        '1_one.sql': '-- migrate:up\ncreate table x (id int);\n-- migrate:down\ndrop table x;\n',
        'README.md': '# docs',
        '.gitkeep': '',
        '_helpers.ts': 'export const x = 1;',
        'types.d.ts': 'export {};',
        // A generator script kept next to goose migrations (homebox).
        '20250706190000_generate_migration.py': 'print(1)',
        '001_notes.md': '# notes',
      },
      { '002_two.ts': { up } },
    );
    const sources = await p.loadSources();
    expect(sources.map((s) => [s.version, s.name, s.kind])).toEqual([
      [1, 'one', 'sql'],
      [2, 'two', 'ts'],
      [10, 'ten', 'sql'],
    ]);
    const one = await sources[0]!.load();
    expect(one.up).toMatchObject({ kind: 'sql', sql: '\ncreate table x (id int);\n' });
    expect(one.down).toMatchObject({ kind: 'sql', sql: '\ndrop table x;\n' });
  });

  it('keeps Kysely’s MigrationProvider interface (ids sorted like Kysely expects)', async () => {
    const p = provider(
      { '001_a.ts': '', '002_b.up.sql': 'select 1;', '002_b.down.sql': 'select 2;' },
      { '001_a.ts': { up } },
    );
    const migrations = await p.getMigrations();
    expect(Object.keys(migrations)).toEqual(['001_a', '002_b']);
    expect(typeof migrations['002_b']!.down).toBe('function');
  });

  it('reads `transaction = false` from modules and the first-line marker from SQL files', async () => {
    const p = provider(
      {
        '001_a.ts': '',
        '002_b.up.sql': '-- migrate:no-transaction\ncreate index concurrently i on t (c);',
        '003_c.sql': '-- migrate:up transaction:false\nselect 1;\n',
      },
      { '001_a.ts': { up, transaction: false } },
    );
    const loaded = await Promise.all((await p.loadSources()).map((s) => s.load()));
    expect(loaded.map((l) => l.transactional)).toEqual([false, false, false]);
  });

  it('checksums ignore a BOM and CRLF line endings but see real edits', async () => {
    const a = (await provider({ '001_a.up.sql': 'create table a (id int);\nselect 1;\n' }).loadSources())[0]!;
    const b = (
      await provider({ '001_a.up.sql': '\uFEFFcreate table a (id int);\r\nselect 1;\r\n' }).loadSources()
    )[0]!;
    const c = (
      await provider({ '001_a.up.sql': 'create table a (id bigint);\nselect 1;\n' }).loadSources()
    )[0]!;
    expect(a.checksum).toBe(b.checksum);
    expect(a.checksum).not.toBe(c.checksum);
    expect(a.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a .down.sql only when the down may run: an up-only load leaves it unread, a full load refuses it when unusable', async () => {
    const read: string[] = [];
    const files: Record<string, string> = {
      '001_a.up.sql': 'create table a (id int);',
      '001_a.down.sql': 'drop table a;\u0000',
    };
    const p = new FileMigrationProvider({
      migrationFolder: '/m',
      fs: {
        readdir: (async () => Object.keys(files)) as never,
        readFile: (async (path: string) => {
          const name = String(path).replace('/m/', '');
          read.push(name);
          return Buffer.from(files[name]!);
        }) as never,
      },
    });
    const [s] = await p.loadSources();
    const upOnly = await s!.load('up');
    expect(upOnly.up).toMatchObject({ kind: 'sql', sql: 'create table a (id int);' });
    expect(read).toEqual(['001_a.up.sql']);
    await expect(s!.load()).rejects.toThrow(/^001_a\.down\.sql:1:14: contains a NUL byte/);
    await expect(s!.load('down')).rejects.toThrow(MigrationFileError);
    expect(read).toEqual(['001_a.up.sql', '001_a.down.sql', '001_a.down.sql']);
  });

  it('treats a comment-only up as a valid no-op and an empty .down.sql as no down', async () => {
    const [s] = await provider({
      '001_a.up.sql': '-- intentionally empty\n',
      '001_a.down.sql': '\n',
    }).loadSources();
    const loaded = await s!.load();
    expect(loaded.up).toMatchObject({ kind: 'sql' });
    expect(loaded.down).toBeUndefined();
  });

  it('pairs an .up.sql and a .down.sql by version, named by the up file, as golang-migrate does', async () => {
    // ente-io/ente: `30_add_magic_metadata.up.sql` + `30_drop_magic_metadata.down.sql`; either may be listed first.
    for (const order of [
      ['30_add_magic_metadata.up.sql', '30_drop_magic_metadata.down.sql'],
      ['30_drop_magic_metadata.down.sql', '30_add_magic_metadata.up.sql'],
    ]) {
      const files: Record<string, string> = {
        '30_add_magic_metadata.up.sql': 'alter table t add column m text;',
        '30_drop_magic_metadata.down.sql': 'alter table t drop column m;',
      };
      const p = new FileMigrationProvider({
        migrationFolder: '/m',
        fs: {
          readdir: (async () => order) as never,
          readFile: (async (f: string) => Buffer.from(files[String(f).replace('/m/', '')]!)) as never,
        },
      });
      const [source, ...rest] = await p.loadSources();
      expect(rest).toEqual([]);
      expect([source!.version, source!.name, source!.id, source!.files]).toEqual([
        30,
        'add_magic_metadata',
        '30_add_magic_metadata',
        ['30_add_magic_metadata.up.sql', '30_drop_magic_metadata.down.sql'],
      ]);
      const loaded = await source!.load();
      expect(loaded.down).toMatchObject({
        file: '30_drop_magic_metadata.down.sql',
        sql: 'alter table t drop column m;',
      });
    }
  });

  it('reads a plain .sql file (Supabase CLI, sqlx) as an up with no down; its first line may still say no-transaction', async () => {
    const sources = await provider({
      '20240101120000_create_notes.sql': 'create table notes (id bigint);\n-- migrate is a word here\n',
      '20240102120000_index.sql': '-- migrate:no-transaction\ncreate index concurrently i on notes (id);',
    }).loadSources();
    expect(sources.map((s) => [s.version, s.name, s.kind])).toEqual([
      [20240101120000, 'create_notes', 'sql'],
      [20240102120000, 'index', 'sql'],
    ]);
    const notes = await sources[0]!.load();
    expect(notes).toEqual({
      transactional: true,
      up: {
        kind: 'sql',
        file: '20240101120000_create_notes.sql',
        sql: 'create table notes (id bigint);\n-- migrate is a word here\n',
      },
    });
    expect((await sources[1]!.load()).transactional).toBe(false);
  });

  it('reads goose files: Up and Down sections, NO TRANSACTION anywhere, StatementBegin/End kept as comments', async () => {
    const fn = `-- +goose StatementBegin
create function f() returns int language plpgsql as $$ begin return 1; end $$;
-- +goose StatementEnd`;
    const sources = await provider({
      '00001_users.sql': `-- +goose Up\ncreate table users (id int);\n${fn}\n\n-- +goose Down\ndrop function f();\ndrop table users;\n`,
      '00002_index.sql':
        '-- +goose NO TRANSACTION\n-- +goose Up\ncreate index concurrently i on users (id);\n-- +goose Down\ndrop index concurrently i;\n',
      '00003_up_only.sql': '-- +goose up\nselect 1;\n',
    }).loadSources();
    const [users, index, upOnly] = await Promise.all(sources.map((s) => s.load()));
    expect(users).toMatchObject({
      transactional: true,
      up: { sql: `\ncreate table users (id int);\n${fn}\n\n` },
      down: { sql: '\ndrop function f();\ndrop table users;\n' },
    });
    expect(index!.transactional).toBe(false);
    expect(index!.down).toMatchObject({ sql: '\ndrop index concurrently i;\n' });
    expect(upOnly!.down).toBeUndefined();
  });

  it('accepts a dash between version and description (Kysely apps: immich’s 1744910873969-InitialMigration.ts)', async () => {
    const sources = await provider(
      { '1744910873969-InitialMigration.ts': '', '1744910873970-add-users.up.sql': 'select 1;' },
      { '1744910873969-InitialMigration.ts': { up } },
    ).loadSources();
    expect(sources.map((s) => [s.version, s.name, s.id])).toEqual([
      [1744910873969, 'InitialMigration', '1744910873969-InitialMigration'],
      [1744910873970, 'add-users', '1744910873970-add-users'],
    ]);
  });

  it('accepts dots in a description (golang-migrate does; Harbor names files 0002_1.7.0_schema.up.sql)', async () => {
    const sources = await provider(
      {
        '0002_1.7.0_schema.up.sql': 'create table a (id int);',
        '0002_1.7.0_schema.down.sql': 'drop table a;',
        '0003_v2.1.sql': '-- migrate:up\nselect 1;\n',
      },
      {},
    ).loadSources();
    expect(sources.map((s) => [s.version, s.name, s.kind, s.files])).toEqual([
      [2, '1.7.0_schema', 'sql', ['0002_1.7.0_schema.up.sql', '0002_1.7.0_schema.down.sql']],
      [3, 'v2.1', 'sql', ['0003_v2.1.sql']],
    ]);
    expect(parseMigrationName('001_x.up.sql')).toMatchObject({ description: 'x', kind: 'up.sql' });
    expect(parseMigrationName('001_x.up.down.sql')).toMatchObject({ description: 'x.up', kind: 'down.sql' });
    // Prisma Migrate's folder, as the folder listing names it.
    expect(parseMigrationName('20240101120000_init/migration.sql')).toEqual({
      ok: true,
      version: 20240101120000,
      description: 'init',
      id: '20240101120000_init',
      kind: 'sql',
    });
    expect(parseMigrationName('20240101120000_init/other.sql')).toMatchObject({ ok: false, ignored: false });
  });

  const bad: [string, Record<string, string | Buffer>, RegExp, Record<string, unknown>?][] = [
    [
      'a date written with dashes (its version would be the year)',
      { '2024-01-15-add-users.ts': 'x' },
      /^2024-01-15-add-users\.ts: starts with a date written with dashes.*\(20240115_add-users\.ts\)/,
    ],
    [
      'a timestamp with letters in it',
      { '20240719T113000Z-create-users.ts': 'x' },
      /does not follow the naming rule/,
    ],
    ['no version', { 'init.up.sql': 'x' }, /^init\.up\.sql: does not follow the naming rule/],
    ['no description', { '001_.ts': 'x' }, /^001_\.ts: does not follow the naming rule/],
    ['a space in the name', { '001_add users.ts': 'x' }, /^001_add users\.ts: does not follow/],
    ['digits only', { '001.sql': 'x' }, /^001\.sql: does not follow/],
    ['an unknown extension after digits', { '001_init.txt': 'x' }, /^001_init\.txt: does not follow/],
    [
      'a goose Go migration',
      { '00002_backfill.go': 'package migrations' },
      /^00002_backfill\.go: is a Go migration \(goose\), which kmigrate cannot run/,
    ],
    [
      'a version too large',
      { '99999999999999999999_x.ts': 'x' },
      /version 99999999999999999999 is too large/,
    ],
    [
      'a description starting with a dot',
      { '001_.x.ts': 'x' },
      /^001_\.x\.ts: does not follow the naming rule/,
    ],
    [
      'two .up.sql files with one version',
      { '030_a.up.sql': 'x', '030_b.down.sql': 'y', '030_c.up.sql': 'z' },
      /^030_c\.up\.sql: duplicate version 30/,
    ],
    [
      'duplicate versions',
      { '001_a.ts': '', '001_b.ts': '' },
      /^001_b\.ts: duplicate version 1 \(also used by 001_a\.ts\)/,
    ],
    ['duplicate versions of different widths', { '1_a.ts': '', '001_a.up.sql': 'x' }, /duplicate version 1/],
    [
      'a TS module and an SQL file with one version',
      { '001_a.ts': '', '001_a.up.sql': 'x' },
      /duplicate version 1/,
    ],
    [
      'a .down.sql with no .up.sql',
      { '001_a.down.sql': 'drop table a;' },
      /^001_a\.down\.sql: has no matching \.up\.sql/,
    ],
    [
      'a .sql file with a dbmate down line but no up line',
      { '001_a.sql': 'create table a (id int);\n-- migrate:down\ndrop table a;\n' },
      /^001_a\.sql:2: has a section line `-- migrate:down` but no up line/,
    ],
    [
      'a mistyped dbmate marker',
      { '001_a.sql': '-- migrate: up\ncreate table a (id int);\n-- migrate: down\ndrop table a;\n' },
      /^001_a\.sql:1: has a section line `-- migrate: up`/,
    ],
    [
      'a goose file with ENVSUB (environment variables put into the SQL)',
      { '001_a.sql': '-- +goose ENVSUB ON\n-- +goose Up\ncreate table ${T} (id int);\n' },
      /^001_a\.sql:1: `-- \+goose ENVSUB ON` asks goose to put environment variables into the SQL/,
    ],
    [
      'a goose file whose Down marker is indented',
      { '001_a.sql': '-- +goose Up\ncreate table a (id int);\n  -- +goose Down\ndrop table a;\n' },
      /^001_a\.sql:3: `-- \+goose Down` looks like a section marker but is not one/,
    ],
    [
      'a sql-migrate file',
      { '001_a.sql': '-- +migrate Up\ncreate table a (id int);\n' },
      /has a section line `-- \+migrate Up`/,
    ],
    ['an empty plain .sql', { '001_a.sql': '\n  \n' }, /^001_a\.sql: is empty/],
    [
      // UPchieve's subway: dbmate reads markers only at a line's start, so this down ran inside the up.
      'a dbmate file whose down marker is indented',
      {
        '001_a.sql': '-- migrate:up\ncreate table a (id int);\n\n    -- migrate:down\ndrop table a;\n',
      },
      /^001_a\.sql:4: `-- migrate:down` looks like a section marker but is not one.*start the line with it/,
    ],
    [
      'a plain file with an indented goose marker',
      { '001_a.sql': 'create table a (id int);\n  -- +goose Down\ndrop table a;\n' },
      /^001_a\.sql:2: has a section line `-- \+goose Down` but no up line/,
    ],
    [
      'a dbmate file with a second down marker',
      { '001_a.sql': '-- migrate:up\nselect 1;\n-- migrate:down\nselect 2;\n-- migrate:down\nselect 3;\n' },
      /^001_a\.sql:5: `-- migrate:down` looks like a section marker/,
    ],
    ['an empty .up.sql', { '001_a.up.sql': '  \n' }, /^001_a\.up\.sql: is empty/],
    [
      'a non-UTF-8 file',
      { '001_a.up.sql': Buffer.from([0x63, 0xff, 0xfe, 0x3b]) },
      /^001_a\.up\.sql: is not valid UTF-8/,
    ],
  ];
  for (const [title, files, message] of bad) {
    it(`rejects ${title} with the file name (MigrationFileError, exit 2)`, async () => {
      const error = await provider(files)
        .loadSources()
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFileError);
      expect((error as MigrationFileError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(message);
    });
  }

  const badModules: [string, unknown, RegExp][] = [
    ['a module without up', { down: up }, /^001_a\.ts: does not export an up function/],
    ['a module whose down is not a function', { up, down: 3 }, /exports a `down` that is not a function/],
    ['a non-boolean transaction flag', { up, transaction: 'no' }, /must be true or false/],
    [
      'a module that throws on import',
      new Error('boom at import'),
      /^001_a\.ts: cannot be loaded: boom at import/,
    ],
  ];
  for (const [title, mod, message] of badModules) {
    it(`rejects ${title} when loading`, async () => {
      const [source] = await provider({ '001_a.ts': '' }, { '001_a.ts': mod }).loadSources();
      await expect(source!.load()).rejects.toThrow(message);
    });
  }

  it('a missing folder says so', async () => {
    const p = new FileMigrationProvider({ migrationFolder: '/definitely/not/here' });
    await expect(p.loadSources()).rejects.toThrow(
      /migrations folder does not exist; create it or pass --dir/,
    );
  });
});

describe('migration names', () => {
  it('parses any width and formats 3 digits', () => {
    expect(parseMigrationName('20240101120000_init.up.sql')).toMatchObject({
      ok: true,
      version: 20240101120000,
      kind: 'up.sql',
    });
    expect(formatMigrationId(4, 'Create policies table!')).toBe('004_create_policies_table');
    expect(formatMigrationId(1234, 'x')).toBe('1234_x');
  });
});
