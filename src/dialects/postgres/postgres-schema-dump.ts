import { execFile } from 'node:child_process';
import { sql } from 'kysely';
import { redactUrl } from '../../config/database-url.ts';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { MissingToolError } from '../../engine/missing-tool-error.ts';
import { trackingTableNames } from '../../engine/tracking-store.ts';
import type { SchemaDump, SchemaDumpOptions } from '../schema-dump-types.ts';
import { quoteIdent } from '../tracking-row.ts';
import { findPgDump } from './find-pg-dump.ts';

/**
 * The schema of a PostgreSQL database through `pg_dump --schema-only` (only the
 * configured schema, without owners, grants and the tracking tables). Session
 * settings (`SET …`, `set_config('search_path', …)`) and psql meta-commands
 * (`\restrict`) are removed: a migration must not change the session it runs in.
 * The down drops every object of the schema that the dump holds, read from the catalog.
 */
export async function dumpPostgresSchema(options: SchemaDumpOptions): Promise<SchemaDump> {
  const { db, target, trackingTable } = options;
  const env = options.env ?? process.env;
  const schema = trackingTable.schema;
  const serverVersion = await showServerVersion(db);
  const serverMajor = Math.floor(serverVersion / 10_000);
  const { usable, found } = findPgDump(serverMajor, env);
  if (!usable) {
    throw new MissingToolError(
      'pg_dump',
      found.length
        ? `pg_dump ${found.map((f) => f.version).join(', ')} cannot dump this PostgreSQL ${serverMajor} server (pg_dump must be as new as the server)`
        : env.KMIGRATE_PG_DUMP
          ? `KMIGRATE_PG_DUMP=${env.KMIGRATE_PG_DUMP} does not run as pg_dump`
          : 'pg_dump is not on PATH; init --from-live uses it to read the PostgreSQL schema',
      `install the PostgreSQL ${serverMajor} client tools (e.g. apt-get install postgresql-client-${serverMajor}) or point KMIGRATE_PG_DUMP at one; or write the first migration by hand and run \`baseline 1\``,
    );
  }
  const url = new URL(target.url);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const args = [
    '--schema-only',
    '--no-owner',
    '--no-privileges',
    `--schema=${quoteIdent(schema)}`,
    ...trackingTableNames(trackingTable).map(
      (name) => `--exclude-table=${quoteIdent(schema)}.${quoteIdent(name)}`,
    ),
    `--dbname=${url.toString()}`,
  ];
  const dump = await new Promise<string>((resolve, reject) => {
    // The password travels in the environment, never on a command line others can read.
    execFile(
      usable.file,
      args,
      { env: { ...env, ...(password ? { PGPASSWORD: password } : {}) }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new MissingToolError(
              'pg_dump',
              `failed: ${
                redactUrl(String(stderr || error.message))
                  .trim()
                  .split('\n')[0]
              }`,
              'check the URL and that its user may read the schema',
            ),
          );
        } else resolve(stdout);
      },
    );
  });
  const down = await dropStatements(db, schema, trackingTableNames(trackingTable));
  return {
    up: cleanDump(dump, schema),
    down: down.join('\n'),
    objects: down.length,
    source: `pg_dump ${usable.version} --schema-only (schema ${schema}) of a PostgreSQL ${serverMajor} database`,
  };
}

async function showServerVersion(db: AnyKysely): Promise<number> {
  const { rows } = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(db);
  return Number(rows[0]?.v ?? 0);
}

/** pg_dump's output without what only psql or a restore session needs. */
export function cleanDump(dump: string, schema: string): string {
  const kept: string[] = [];
  for (const line of dump.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\\/.test(line)) continue; // \restrict / \unrestrict: psql meta-commands
    // SQL-language function bodies may name tables created further down, as pg_dump orders them;
    // SET LOCAL keeps the setting inside the migration's own transaction.
    if (line === 'SET check_function_bodies = false;') kept.push('SET LOCAL check_function_bodies = false;');
    if (/^SET \w+ = /.test(line)) continue;
    if (/^SELECT pg_catalog\.set_config\(/.test(line)) continue;
    if (/^--/.test(line)) continue;
    // The schema holds the tracking table, so it exists before this migration runs.
    if (line === `CREATE SCHEMA ${quoteIdentIfNeeded(schema)};`) continue;
    kept.push(line);
  }
  return `${kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

function quoteIdentIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

/** DROP … CASCADE for every object of the schema the dump holds, views first; extension members are not ours. */
async function dropStatements(db: AnyKysely, schema: string, tracking: string[]): Promise<string[]> {
  const { rows: relations } = await sql<{ name: string; kind: string }>`
    select c.relname as name, c.relkind as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      and c.relname not in (${sql.join(tracking)})
      and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
      and not c.relispartition
    order by case c.relkind when 'v' then 0 when 'm' then 1 else 2 end, c.relname`.execute(db);
  const { rows: routines } = await sql<{ signature: string; kind: string }>`
    select p.oid::regprocedure::text as signature, p.prokind as kind
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = ${schema}
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    order by 1`.execute(db);
  const { rows: types } = await sql<{ name: string; kind: string }>`
    select t.typname as name, t.typtype as kind
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = ${schema} and t.typtype in ('e', 'd', 'r', 'c')
      and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
      and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
    order by 1`.execute(db);
  const q = (name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const RELATION: Record<string, string> = {
    v: 'view',
    m: 'materialized view',
    r: 'table',
    p: 'table',
    f: 'foreign table',
    S: 'sequence',
  };
  return [
    ...relations.map((r) => `drop ${RELATION[r.kind]} if exists ${q(r.name)} cascade;`),
    ...routines.map(
      (r) =>
        `drop ${r.kind === 'p' ? 'procedure' : r.kind === 'a' ? 'aggregate' : 'function'} if exists ${r.signature} cascade;`,
    ),
    ...types.map((t) => `drop ${t.kind === 'd' ? 'domain' : 'type'} if exists ${q(t.name)} cascade;`),
  ];
}
