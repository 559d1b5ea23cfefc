import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { type CliRun, runCliInProcess } from '../support/cli.ts';

/**
 * A throw-away project folder: `migrations/` with the given files, and
 * `generated/db.ts` written there by codegen (the default config applies
 * because there is no kysely.config.ts).
 */
export interface CodegenProject {
  readonly root: string;
  readonly migrations: string;
  readonly outFile: string;
  write(file: string, content: string): void;
  /** generated/db.ts, or undefined when it does not exist. */
  read(): string | undefined;
  /** The CLI in-process in this folder; the scratch PostgreSQL is a database in the test server. */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  cleanup(): void;
}

export function codegenProject(files: Record<string, string>): CodegenProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-codegen-'));
  const migrations = path.join(root, 'migrations');
  fs.mkdirSync(migrations);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(migrations, name), content);
  const outFile = path.join(root, 'generated', 'db.ts');
  return {
    root,
    migrations,
    outFile,
    write: (file, content) => fs.writeFileSync(path.join(migrations, file), content),
    read: () => (fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : undefined),
    cli: (args, env = {}) => runCliInProcess(args, { cwd: root, env: { ...scratchEnv(), ...env } }),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Scratch databases are created in the run's PostgreSQL instead of starting another server. */
export function scratchEnv(): NodeJS.ProcessEnv {
  return { KMIGRATE_CODEGEN_DATABASE_URL: inject('pgAdminUrl') };
}

/** Two tables whose names sort differently under a Danish collation ("aa" after "z"). */
export const FIXTURE = {
  '001_accounts.up.sql': `create table accounts (
  id integer primary key,
  email text not null,
  created_at timestamptz not null default now()
);
create table zebras (id integer primary key, aa_name text, zz_name text);
create table aa_items (id integer primary key, account_id integer not null references accounts (id));
`,
  '001_accounts.down.sql': 'drop table aa_items;\ndrop table zebras;\ndrop table accounts;\n',
  '002_notes.ts': `import type { Kysely } from 'kysely';
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notes')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notes').execute();
}
`,
};
