import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { advisoryLockKey } from '../../src/dialects/lock-key.ts';
import { migrateToLatest } from '../../src/index.ts';
import { MAX_MIGRATION_FILE_BYTES } from '../../src/sources/file-migration-provider.ts';
import { createTestDatabase, type Dialect, type TestDatabase } from '../support/databases.ts';
import { startBlackHoleServer } from './support/black-hole-server.ts';
import { freePort } from './support/free-port.ts';
import { SENTINEL_PASSWORD, SentinelRoles } from './support/sentinel-roles.ts';
import { createTempProject, type TempProject } from './support/temp-project.ts';
import { databaseFingerprint } from './support/tracking-state.ts';
import { runCliProcess } from './support/ts-process.ts';

/**
 * Bad inputs, table-driven, through the real CLI in a subprocess. For each:
 * the documented exit code; exactly one stderr line, starting `error:`, that
 * names the file or object and says what to do next; no stack trace unless
 * --verbose (and then there is one); the sentinel password never printed; the
 * schema and tracking tables byte-for-byte as before.
 */

interface CaseEnv {
  dialect: Dialect;
  database: TestDatabase;
  /** The database URL as the sentinel-password owner (PostgreSQL) or the SQLite file. */
  url: string;
  project: TempProject;
  roles: SentinelRoles;
  /** Applies everything currently in the folder, in-process, as the owner. */
  applyAll(): Promise<void>;
  /** Registers something to undo after both runs (a held lock, a server). */
  defer(fn: () => Promise<void> | void): void;
}

interface CaseRun {
  /** The command and its options; --url/--dir/--no-codegen are added unless noDefaults. */
  args: string[];
  /** Replaces the database URL (bad URLs). */
  url?: string;
  /** Replaces --dir. */
  dir?: string;
}

interface BadInput {
  name: string;
  dialects: Dialect[];
  setup(env: CaseEnv): Promise<CaseRun>;
  exit: 1 | 2 | 4;
  /** The file or database object the message must name. */
  names: RegExp;
  /** The next step the message must give. */
  next: RegExp;
}

const BOTH: Dialect[] = ['sqlite', 'postgres'];
const SQLITE: Dialect[] = ['sqlite'];
const PG: Dialect[] = ['postgres'];
const LATEST = ['latest'];

const TABLE_A = 'create table a (id integer primary key, label text);\n';

const CASES: BadInput[] = [
  {
    name: 'a file name that breaks the naming rule',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001 create users.up.sql', TABLE_A);
      return { args: LATEST };
    },
    exit: 2,
    names: /001 create users\.up\.sql/,
    next: /name it NNN_description/,
  },
  {
    name: 'two migrations with the same version',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.write('001_b.up.sql', 'create table b (id integer);\n');
      return { args: LATEST };
    },
    exit: 2,
    names: /001_b\.up\.sql.*001_a\.up\.sql|001_a\.up\.sql.*001_b\.up\.sql/,
    next: /next free number/,
  },
  {
    name: '`down` of a migration that has no down step',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      return { args: ['down', '--yes'] };
    },
    exit: 2,
    names: /001_a\.up\.sql/,
    next: /add a down/,
  },
  {
    name: 'an SQL syntax error on line 5',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write(
        '002_bad_syntax.up.sql',
        'create table b (id integer primary key);\n\n-- the next statement is wrong\ncreate table c (id integer);\ncreate tabel d (id integer);\n',
      );
      return { args: LATEST };
    },
    exit: 1,
    names: /002_bad_syntax\.up\.sql:5\b/,
    next: /rolled back.*fix the migration and run again/,
  },
  {
    name: 'an SQL error in a later migration (the earlier ones stay applied)',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write('002_b.up.sql', 'create table b (id integer);\ninsert into missing_table values (1);\n');
      return { args: LATEST };
    },
    exit: 1,
    names: /002_b\.up\.sql:2\b.*missing_table/,
    next: /fix the migration and run again/,
  },
  {
    name: 'a TypeScript migration whose up throws',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write(
        '002_boom.ts',
        "export async function up(): Promise<void> {\n  throw new Error('boom in step two');\n}\n",
      );
      return { args: LATEST };
    },
    exit: 1,
    names: /002_boom\.ts.*boom in step two/,
    next: /fix the migration and run again/,
  },
  {
    name: 'a TypeScript migration with no up export',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_no_up.ts', 'export async function down(): Promise<void> {}\n');
      return { args: LATEST };
    },
    exit: 2,
    names: /001_no_up\.ts/,
    next: /export async function up/,
  },
  {
    name: 'a TypeScript migration that does not compile',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write(
        '001_broken.ts',
        'export async function up(db: unknown) {\n  await (db as any).schema.createTable(\n}\n',
      );
      return { args: LATEST };
    },
    exit: 2,
    names: /001_broken\.ts/,
    // Known gap (docs/reliability.md): only the loader's first line survives ("Transform failed with 1
    // error:"), so neither the line at fault nor a next step is shown. Tighten when fixed.
    next: /cannot be loaded/,
  },
  {
    name: 'a file that is not UTF-8',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_latin1.up.sql', Buffer.from('-- caf\xe9\ncreate table a (id integer);\n', 'latin1'));
      return { args: LATEST };
    },
    exit: 2,
    names: /001_latin1\.up\.sql/,
    next: /save it as UTF-8/,
  },
  {
    name: 'an empty .up.sql',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_empty.up.sql', '');
      return { args: LATEST };
    },
    exit: 2,
    names: /001_empty\.up\.sql/,
    next: /write the SQL/,
  },
  {
    name: 'a file over the 64 MiB limit (sparse, costs no disk)',
    dialects: SQLITE,
    setup: async ({ project }) => {
      const file = project.write('001_huge.up.sql', '');
      fs.truncateSync(file, MAX_MIGRATION_FILE_BYTES + 1);
      return { args: LATEST };
    },
    exit: 2,
    names: /001_huge\.up\.sql.*67108864-byte limit/,
    next: /split it into several migrations/,
  },
  {
    name: 'a .down.sql without its .up.sql',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.down.sql', 'drop table a;\n');
      return { args: LATEST };
    },
    exit: 2,
    names: /001_a\.down\.sql/,
    next: /add 001_a\.up\.sql or remove it/,
  },
  {
    name: 'a single .sql file in sql-migrate format (its down would run with its up as a plain file)',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_sqlmig.sql', `-- +migrate Up\n${TABLE_A}-- +migrate Down\ndrop table a;\n`);
      return { args: LATEST };
    },
    exit: 2,
    names: /001_sqlmig\.sql/,
    next: /mark the sections with `-- migrate:up`/,
  },
  {
    name: 'a migrations folder that does not exist',
    dialects: SQLITE,
    setup: async ({ project }) => ({ args: LATEST, dir: path.join(project.root, 'no-such-folder') }),
    exit: 2,
    names: /no-such-folder/,
    next: /create it or pass --dir/,
  },
  {
    name: 'an unknown URL scheme',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      return { args: LATEST, url: `mysql://app:${SENTINEL_PASSWORD}@127.0.0.1:3306/app` };
    },
    exit: 2,
    names: /--url.*unknown URL scheme "mysql:"/,
    next: /accepted: postgres:\/\//,
  },
  {
    name: 'something that is not a URL at all',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      return { args: LATEST, url: 'localhost:5432/app' };
    },
    exit: 2,
    names: /--url/,
    next: /accepted: postgres:\/\//,
  },
  {
    name: 'a SQLite path whose folder cannot be created',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      const blocker = project.writeRoot('not-a-folder', 'a file, not a folder');
      return { args: LATEST, url: `sqlite:${blocker}/dev.sqlite` };
    },
    exit: 1,
    names: /not-a-folder\/dev\.sqlite/,
    next: /check that the folder exists and is writable/,
  },
  {
    name: 'a wrong password',
    dialects: PG,
    setup: async ({ project, database, roles }) => {
      project.write('001_a.up.sql', TABLE_A);
      return { args: LATEST, url: roles.urlFor(database.url, roles.wrongpw) };
    },
    exit: 1,
    names: /postgres:\/\/kmt_wrongpw_\w+:\*\*\*@/,
    next: /check the user and password/,
  },
  {
    name: 'a closed port (nothing listens)',
    dialects: PG,
    setup: async ({ project, url }) => {
      project.write('001_a.up.sql', TABLE_A);
      const closed = new URL(url);
      closed.port = String(await freePort());
      return { args: LATEST, url: closed.toString() };
    },
    exit: 1,
    names: /127\.0\.0\.1:\d+.*connection refused/,
    next: /is the server running/,
  },
  {
    name: 'an unreachable host: a local port that accepts and never answers (connectTimeoutMs 1000)',
    dialects: PG,
    setup: async ({ project, url, defer }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.writeRoot('kysely.config.ts', 'export default { connectTimeoutMs: 1000 };\n');
      const hole = await startBlackHoleServer();
      defer(() => hole.close());
      const target = new URL(url);
      target.port = String(hole.port);
      return { args: LATEST, url: target.toString() };
    },
    exit: 1,
    names: /127\.0\.0\.1:\d+.*no answer within 1000 ms/,
    next: /check the host, port and firewall/,
  },
  {
    name: 'a database that does not exist',
    dialects: PG,
    setup: async ({ project, url }) => {
      project.write('001_a.up.sql', TABLE_A);
      const missing = new URL(url);
      missing.pathname = '/kmt_no_such_database';
      return { args: LATEST, url: missing.toString() };
    },
    exit: 1,
    names: /kmt_no_such_database/,
    next: /create the database first/,
  },
  {
    name: 'a read-only role (CONNECT + SELECT only)',
    dialects: PG,
    setup: async ({ project, applyAll, database, roles }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write('002_b.up.sql', 'create table b (id integer);\n');
      return { args: LATEST, url: await roles.grantReadOnly(database.url) };
    },
    exit: 1,
    names: /002_b\.up\.sql.*permission denied/,
    next: /fix the migration and run again|grant/,
  },
  {
    name: 'a tracking table altered by hand (a column dropped)',
    dialects: BOTH,
    setup: async ({ project, applyAll, database }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      await database.query('alter table schema_migrations drop column applied_by');
      project.write('002_b.up.sql', 'create table b (id integer);\n');
      return { args: LATEST };
    },
    exit: 4,
    names: /tracking table (public\.)?schema_migrations/,
    next: /restore its columns/,
  },
  {
    name: 'an applied migration whose file changed (checksum)',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write('001_a.up.sql', `${TABLE_A}-- edited after it was applied\n`);
      return { args: LATEST };
    },
    exit: 4,
    names: /changed since applied: 1_a/,
    next: /(npx kmigrate|npm run migrate --) repair/,
  },
  {
    name: 'an applied migration whose file was deleted',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.write('002_b.up.sql', 'create table b (id integer);\n');
      project.write('003_c.up.sql', 'create table c (id integer);\n');
      await applyAll();
      // In the middle of the history: a deleted newest file would be "ahead" (a rolling deploy), not missing.
      project.remove('002_b.up.sql');
      return { args: LATEST };
    },
    exit: 4,
    names: /applied but file missing: 2_b/,
    next: /--forget-missing/,
  },
  {
    name: 'a pending migration older than the newest applied one',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.write('003_c.up.sql', 'create table c (id integer);\n');
      await applyAll();
      project.write('002_b.up.sql', 'create table b (id integer);\n');
      return { args: LATEST };
    },
    exit: 4,
    names: /2_b.*older than the newest applied migration 3/,
    next: /--allow-out-of-order/,
  },
  {
    name: 'a dirty state (a non-transactional migration did not finish)',
    dialects: BOTH,
    setup: async ({ project, applyAll, database }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write('002_b.up.sql', '-- migrate:no-transaction\ncreate table b (id integer);\n');
      await database.query(
        `insert into schema_migrations (version, name, checksum, state, execution_ms, applied_by) values (2, 'b', 'x', 'running', 0, 'a crashed deploy')`,
      );
      return { args: LATEST };
    },
    exit: 4,
    names: /dirty at migration 2_b/,
    next: /(npx kmigrate|npm run migrate --) force 2/,
  },
  {
    name: 'the migration lock held by another process (--lock-timeout 500)',
    dialects: BOTH,
    setup: async ({ dialect, project, applyAll, database, defer }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      project.write('002_b.up.sql', 'create table b (id integer);\n');
      if (dialect === 'postgres') {
        const holder = new pg.Client({ connectionString: database.url });
        await holder.connect();
        await holder.query(`select pg_advisory_lock(${advisoryLockKey('public', 'schema_migrations')})`);
        defer(() => holder.end());
      } else {
        const holder = new Database(database.url.slice('sqlite:'.length));
        holder.exec('begin immediate');
        defer(() => {
          holder.exec('rollback');
          holder.close();
        });
      }
      return { args: [...LATEST, '--lock-timeout', '500'] };
    },
    exit: 4,
    names: /lock .*(pg_advisory_lock\(-?\d+\) for public\.schema_migrations|SQLite write lock)/,
    next: /raise --lock-timeout/,
  },
  {
    name: 'a config value of the wrong type',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.writeRoot('kysely.config.ts', "export default { lockTimeoutMs: 'soon' };\n");
      return { args: LATEST };
    },
    exit: 2,
    names: /config "lockTimeoutMs"/,
    next: /expected number/i,
  },
  {
    name: 'an unknown config key',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.writeRoot('kysely.config.ts', 'export default { lockTimeout: 500 };\n');
      return { args: LATEST };
    },
    exit: 2,
    names: /config "lockTimeout"/,
    next: /accepted: .*lockTimeoutMs/,
  },
  {
    name: 'a tracking table name that is not an identifier',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.writeRoot('kysely.config.ts', "export default { table: 'schema-migrations' };\n");
      return { args: LATEST };
    },
    exit: 2,
    names: /config "table"/,
    next: /must be a plain identifier/,
  },
  {
    name: 'a --config file that does not exist',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      return { args: ['--config', 'nope.config.ts', ...LATEST] };
    },
    exit: 2,
    names: /nope\.config\.ts/,
    next: /does not exist/,
  },
  {
    name: 'a config file that throws when loaded',
    dialects: SQLITE,
    setup: async ({ project }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.writeRoot('kysely.config.ts', "throw new Error('config exploded');\nexport default {};\n");
      return { args: LATEST };
    },
    exit: 2,
    names: /kysely\.config\.ts/,
    next: /config exploded/,
  },
  {
    name: '`force` of a version that exists nowhere',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      return { args: ['force', '99'] };
    },
    exit: 2,
    names: /version 99/,
    next: /migrate status|neither a migration file nor a tracking row/,
  },
  {
    name: '`to` a version that is not in the folder',
    dialects: BOTH,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      await applyAll();
      return { args: ['to', '99', '--yes'] };
    },
    exit: 2,
    names: /version 99/,
    next: /use 0 to roll everything back/,
  },
  {
    name: '`down` on PostgreSQL without a terminal and without --yes',
    dialects: PG,
    setup: async ({ project, applyAll }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.write('001_a.down.sql', 'drop table a;\n');
      await applyAll();
      return { args: ['down'] };
    },
    exit: 2,
    names: /Roll back 1 migration \(1_a\) on postgres:\/\/kmt_owner_\w+:\*\*\*@/,
    next: /pass --yes/,
  },
  {
    name: 'a non-transactional migration with pgbouncer=true in the URL',
    dialects: PG,
    setup: async ({ project, url }) => {
      project.write('001_a.up.sql', TABLE_A);
      project.write('002_idx.up.sql', 'create index concurrently a_label on a (label);\n');
      return { args: LATEST, url: `${url}?pgbouncer=true` };
    },
    exit: 2,
    names: /migration 2 must run outside a transaction/,
    next: /use the direct connection \(port 5432\) or the session pooler/,
  },
];

const STACK_LINE = /^\s+at .+/m;

let roles: SentinelRoles;
beforeAll(async () => {
  roles = new SentinelRoles(inject('pgAdminUrl'));
  await roles.create();
});
afterAll(async () => {
  await roles?.drop();
});

const trials = CASES.flatMap((c) => c.dialects.map((dialect) => ({ c, dialect })));

describe.concurrent(`bad input (${CASES.length} cases, ${trials.length} case × dialect runs)`, () => {
  it('has at least 30 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const { c, dialect } of trials) {
    it(`${c.name} [${dialect}] → exit ${c.exit}`, async () => {
      const database = await createTestDatabase(dialect);
      const project = createTempProject();
      const deferred: (() => Promise<void> | void)[] = [];
      try {
        const url = dialect === 'postgres' ? await roles.adopt(database.url) : database.url;
        const env: CaseEnv = {
          dialect,
          database,
          url,
          project,
          roles,
          applyAll: async () => {
            await migrateToLatest(url, { config: { migrationsDir: project.dir }, cwd: project.root });
          },
          defer: (fn) => deferred.push(fn),
        };
        const run = await c.setup(env);
        const before = await databaseFingerprint(database);
        const args = ['--url', run.url ?? url, '--dir', run.dir ?? project.dir, ...run.args, '--no-codegen'];

        const plain = await runCliProcess(args, { cwd: project.root });
        const output = `${plain.stdout}\n${plain.stderr}`;
        expect(output).not.toContain(SENTINEL_PASSWORD);
        expect(plain.stderr).not.toMatch(STACK_LINE);
        const lines = plain.stderr.split('\n').filter((l) => l.trim() !== '');
        expect(lines, plain.stderr).toHaveLength(1);
        const line = lines[0]!;
        if (process.env.KMIGRATE_SHOW_MESSAGES)
          console.log(`[bad-input] ${c.name} [${dialect}] exit ${plain.code}\n  ${line}`);
        expect(line).toMatch(/^error: /);
        expect(line).toMatch(c.names);
        expect(line).toMatch(c.next);
        expect(plain.code, line).toBe(c.exit);
        expect(await databaseFingerprint(database)).toBe(before);

        const verbose = await runCliProcess([...args, '--verbose'], { cwd: project.root });
        expect(`${verbose.stdout}\n${verbose.stderr}`).not.toContain(SENTINEL_PASSWORD);
        expect(verbose.code).toBe(c.exit);
        // --verbose also logs every SQL statement (`sql (N ms): …`) before the error: the same one error line follows.
        expect(verbose.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([line]);
        expect(verbose.stderr).toMatch(STACK_LINE);
        expect(await databaseFingerprint(database)).toBe(before);
      } finally {
        for (const fn of deferred.reverse()) await fn();
        project.cleanup();
        await database.drop();
      }
    }, 120_000);
  }
});
