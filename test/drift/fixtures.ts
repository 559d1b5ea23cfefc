/** Migration folders and helpers shared by the drift and verify tests. */
import path from 'node:path';
import { type CliRun, runCliInProcess } from '../support/cli.ts';
import type { Dialect, TestDatabase } from '../support/databases.ts';

/** 001: a Kysely schema-builder migration, the same on both dialects. */
export const CREATE_ITEMS_TS = `import type { Kysely } from 'kysely';
export async function up(db: Kysely<Record<string, never>>): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo('x'))
    .addColumn('owner_id', 'integer')
    .execute();
  await db.schema.createIndex('items_label_idx').on('items').column('label').execute();
}
export async function down(db: Kysely<Record<string, never>>): Promise<void> {
  await db.schema.dropTable('items').execute();
}
`;

/**
 * 002 as SQL, per dialect: on PostgreSQL every kind of object drift compares
 * (FK with actions, enum, view, function, trigger, RLS and a policy for a
 * Supabase role); on SQLite what SQLite has.
 */
export function secondMigration(dialect: Dialect): Record<string, string> {
  if (dialect === 'postgres') {
    return {
      '002_owners_and_more.up.sql': `create table owners (id integer generated always as identity primary key, name text unique, check (length(name) > 0));
alter table items add constraint items_owner_fk foreign key (owner_id) references owners (id) on delete cascade;
create type mood as enum ('sad', 'ok', 'happy');
alter table items add column mood mood;
create view item_labels as select id, label from items;
create function touch() returns trigger language plpgsql as $$ begin new.label = trim(new.label); return new; end $$;
create trigger items_touch before update on items for each row execute function touch();
create index items_owner_idx on items (owner_id desc) where owner_id is not null;
alter table items enable row level security;
create policy items_read on items for select to authenticated using (true);
`,
      '002_owners_and_more.down.sql': `drop policy items_read on items;
drop index items_owner_idx;
alter table items disable row level security;
drop view item_labels;
drop trigger items_touch on items;
drop function touch();
alter table items drop column mood;
drop type mood;
alter table items drop constraint items_owner_fk;
drop table owners;
`,
    };
  }
  return {
    '002_owners_and_more.up.sql': `create table owners (id integer primary key, name text unique, check (length(name) > 0));
create table tags (id integer primary key, item_id integer not null references items (id) on delete cascade, tag text);
create view item_labels as select id, label from items;
create trigger items_touch after update on items begin update items set label = trim(new.label) where id = new.id; end;
create index items_owner_idx on items (owner_id desc) where owner_id is not null;
`,
    '002_owners_and_more.down.sql': `drop index items_owner_idx;
drop trigger items_touch;
drop view item_labels;
drop table tags;
drop table owners;
`,
  };
}

/** How the dialect names an object of `public`: qualified on PostgreSQL, bare on SQLite. */
export function qualified(dialect: Dialect, name: string): string {
  return dialect === 'postgres' ? `public.${name}` : name;
}

/** Runs the CLI in-process from the folder's parent, where no kysely.config.ts is found. */
export function cli(
  database: Pick<TestDatabase, 'url'>,
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return runCliInProcess(['--url', database.url, '--dir', dir, ...args], { cwd: path.dirname(dir), env });
}

/** Output without colour codes. */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what is removed.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Tables of the database's own schema, read from the catalog directly. */
export async function tableNames(database: TestDatabase): Promise<string[]> {
  const rows =
    database.dialect === 'sqlite'
      ? await database.query<{ name: string }>(
          `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`,
        )
      : await database.query<{ name: string }>(
          `select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
        );
  return rows.map((r) => r.name);
}

/** Databases named like a drift/verify scratch database that still exist on the test server. */
export async function scratchDatabaseExists(database: TestDatabase, name: string): Promise<boolean> {
  const rows = await database.query(`select 1 from pg_database where datname = '${name}'`);
  return rows.length > 0;
}

/** The scratch database name printed by `--verbose` drift and by verify. */
export function scratchNameIn(output: string): string | undefined {
  return /\b(kmigrate_scratch_[0-9a-f]+)\b/.exec(output)?.[1];
}
