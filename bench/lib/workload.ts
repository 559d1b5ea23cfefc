/**
 * The benchmark workload, written in each tool's format from one definition:
 * migration i creates table t_i (bigint primary key, text, timestamptz default
 * now()), an index on it, and inserts 2 rows; its down drops the table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_TMP } from './context.ts';

export type BenchDialect = 'postgres' | 'sqlite';

export const WORKLOAD_ROOT = path.join(BENCH_TMP, 'workloads');

export interface Workload {
  n: number;
  dialect: BenchDialect;
  /** Folder holding all formats (and no kysely.config.ts). */
  root: string;
  /** NNNN_t_NNNN.up.sql / .down.sql pairs (ours). */
  sqlDir: string;
  /** NNNN_t_NNNN.ts Kysely modules (ours and Kysely's FileMigrationProvider read the same folder). */
  tsDir: string;
  /** NNNN_t_NNNN.sql with -- migrate:up / -- migrate:down (dbmate). */
  dbmateDir: string;
  /** Every up in one file (psql -1, the floor). */
  concatenatedFile: string;
  /** SQLite floor for the sqlite3 shell: WAL, then every up between one BEGIN and COMMIT. */
  sqliteTransactionFile: string;
}

export function tableName(i: number): string {
  return `t_${String(i).padStart(4, '0')}`;
}

/** The three statements of migration i, as plain SQL. */
export function upSql(i: number, dialect: BenchDialect): string {
  const t = tableName(i);
  const now = dialect === 'postgres' ? 'now()' : 'current_timestamp';
  return [
    `create table ${t} (id bigint primary key, label text not null, created_at timestamptz not null default ${now});`,
    `create index ${t}_created_at_idx on ${t} (created_at);`,
    `insert into ${t} (id, label) values (1, 'a'), (2, 'b');`,
  ].join('\n');
}

export function downSql(i: number): string {
  return `drop table ${tableName(i)};`;
}

/** The same three statements through Kysely's builders, as a migration module would write them. */
export function tsModule(i: number, dialect: BenchDialect): string {
  const t = tableName(i);
  const now = dialect === 'postgres' ? 'now()' : 'current_timestamp';
  return `import { sql } from 'kysely';

export async function up(db) {
  await db.schema
    .createTable('${t}')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql\`${now}\`))
    .execute();
  await db.schema.createIndex('${t}_created_at_idx').on('${t}').column('created_at').execute();
  await db.insertInto('${t}').values([{ id: 1, label: 'a' }, { id: 2, label: 'b' }]).execute();
}

export async function down(db) {
  await db.schema.dropTable('${t}').execute();
}
`;
}

/** Writes (once per n and dialect) every format of the workload. */
export function writeWorkload(n: number, dialect: BenchDialect): Workload {
  const root = path.join(WORKLOAD_ROOT, `${dialect}-${n}`);
  const w: Workload = {
    n,
    dialect,
    root,
    sqlDir: path.join(root, 'sql'),
    tsDir: path.join(root, 'ts'),
    dbmateDir: path.join(root, 'dbmate'),
    concatenatedFile: path.join(root, 'all.sql'),
    sqliteTransactionFile: path.join(root, 'all-in-one-transaction.sql'),
  };
  const marker = path.join(root, '.complete-v2');
  // The workload is a project of its own: the tools' config search stops here instead of finding the
  // repository's kysely.config.ts (B2/B3 measure a deploy without a config file, given --url and --dir).
  const projectFile = path.join(root, 'package.json');
  if (fs.existsSync(marker) && fs.existsSync(projectFile)) return w;
  if (fs.existsSync(marker)) {
    fs.writeFileSync(projectFile, PROJECT_FILE);
    return w;
  }
  fs.rmSync(root, { recursive: true, force: true });
  for (const dir of [w.sqlDir, w.tsDir, w.dbmateDir]) fs.mkdirSync(dir, { recursive: true });
  const all: string[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `${String(i).padStart(4, '0')}_${tableName(i)}`;
    const up = upSql(i, dialect);
    fs.writeFileSync(path.join(w.sqlDir, `${id}.up.sql`), `${up}\n`);
    fs.writeFileSync(path.join(w.sqlDir, `${id}.down.sql`), `${downSql(i)}\n`);
    fs.writeFileSync(path.join(w.tsDir, `${id}.ts`), tsModule(i, dialect));
    fs.writeFileSync(
      path.join(w.dbmateDir, `${id}.sql`),
      `-- migrate:up\n${up}\n\n-- migrate:down\n${downSql(i)}\n`,
    );
    all.push(up);
  }
  fs.writeFileSync(w.concatenatedFile, `${all.join('\n')}\n`);
  fs.writeFileSync(
    w.sqliteTransactionFile,
    `pragma journal_mode = wal;\nbegin;\n${all.join('\n')}\ncommit;\n`,
  );
  fs.writeFileSync(projectFile, PROJECT_FILE);
  fs.writeFileSync(marker, '');
  return w;
}

const PROJECT_FILE = `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`;
