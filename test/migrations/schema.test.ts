import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load-config.ts';
import { openDatabase } from '../../src/dialects/open-database.ts';
import type { AnyKysely } from '../../src/engine/any-kysely.ts';
import { migrateToLatest } from '../../src/index.ts';
import type { TestDatabase } from '../support/databases.ts';
import { describeEachDialect } from '../support/each-dialect.ts';
import { MIGRATE_OPTIONS } from './catalog-snapshot.ts';

const COLUMNS: Record<string, string[]> = {
  ai_cost_logs: [
    'id',
    'project_id',
    'provider',
    'model',
    'input_tokens',
    'output_tokens',
    'cost_usd',
    'latency_ms',
    'request_id',
    'created_at',
  ],
  policies: [
    'id',
    'project_id',
    'name',
    'kind',
    'limit_amount',
    'period',
    'enabled',
    'rules',
    'created_at',
    'updated_at',
  ],
  project_api_keys: ['id', 'project_id', 'name', 'key_hash', 'key_prefix', 'created_at', 'revoked_at'],
  projects: ['id', 'owner_id', 'name', 'created_at', 'updated_at'],
  users: ['id', 'email', 'display_name', 'created_at', 'updated_at', 'auth_user_id'],
};
const NULLABLE = ['project_api_keys.revoked_at', 'users.display_name', 'users.auth_user_id'];

/** Declared types where the dialects differ; the app normalises these (src/app/normalize.ts). */
const TYPES = {
  postgres: {
    'ai_cost_logs.id': 'bigint',
    'ai_cost_logs.cost_usd': 'numeric(18,8)',
    'ai_cost_logs.created_at': 'timestamp with time zone',
    'policies.limit_amount': 'numeric(18,8)',
    'policies.enabled': 'boolean',
    'policies.rules': 'jsonb',
  },
  sqlite: {
    'ai_cost_logs.id': 'integer',
    'ai_cost_logs.cost_usd': 'text',
    'ai_cost_logs.created_at': 'text',
    'policies.limit_amount': 'text',
    'policies.enabled': 'integer',
    'policies.rules': 'text',
  },
};

const FOREIGN_KEYS = [
  'ai_cost_logs(project_id) -> projects(id) on delete cascade',
  'policies(project_id) -> projects(id) on delete cascade',
  'project_api_keys(project_id) -> projects(id) on delete cascade',
  'projects(owner_id) -> users(id) on delete cascade',
];

const UNIQUE_KEYS = [
  'ai_cost_logs(project_id, request_id)',
  'policies(project_id, name)',
  'project_api_keys(key_hash)',
  'projects(owner_id, name)',
  'users(email)',
];

const INDEXES = [
  'ai_cost_logs(project_id, created_at) ai_cost_logs_project_id_created_at_idx',
  'project_api_keys(project_id) project_api_keys_project_id_idx',
  'projects(owner_id) projects_owner_id_idx',
  'users(auth_user_id) users_auth_user_id_key',
];

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

describeEachDialect('schema after 004', (ctx) => {
  it('has the tables, columns, types, keys and indexes the app relies on', async () => {
    await migrateToLatest(ctx.database.url, MIGRATE_OPTIONS);
    const catalog =
      ctx.dialect === 'sqlite' ? await sqliteCatalog(ctx.database) : await pgCatalog(ctx.database);

    expect(catalog.tables).toEqual(
      [...Object.keys(COLUMNS), 'schema_migrations', 'schema_migrations_history'].sort(),
    );
    for (const [table, columns] of Object.entries(COLUMNS)) {
      expect(catalog.columns.filter((c) => c.table === table).map((c) => c.column)).toEqual(columns);
    }
    expect(catalog.columns.filter((c) => c.nullable).map((c) => `${c.table}.${c.column}`)).toEqual(NULLABLE);
    for (const [key, type] of Object.entries(TYPES[ctx.dialect])) {
      expect(catalog.columns.find((c) => `${c.table}.${c.column}` === key)?.type, key).toBe(type);
    }
    expect(catalog.foreignKeys).toEqual(FOREIGN_KEYS);
    expect(catalog.uniqueKeys).toEqual(UNIQUE_KEYS);
    expect(catalog.indexes).toEqual(INDEXES);
  });

  it('enforces the constraints: unique email, exact money, JSON object rules, kinds, cascades', async () => {
    await migrateToLatest(ctx.database.url, MIGRATE_OPTIONS);
    await withKysely(ctx.database.url, async (db) => {
      await sql`insert into users (email) values ('a@example.com')`.execute(db);
      await expect(sql`insert into users (email) values ('a@example.com')`.execute(db)).rejects.toThrow(
        /unique/i,
      );
      await sql`insert into projects (owner_id, name) values (1, 'p')`.execute(db);
      await expect(
        sql`insert into projects (owner_id, name) values (99, 'orphan')`.execute(db),
      ).rejects.toThrow(/foreign key/i);
      await sql`insert into project_api_keys (project_id, name, key_hash, key_prefix) values (1, 'k', ${'a'.repeat(64)}, 'km_x')`.execute(
        db,
      );

      const log = (cost: unknown, requestId: string) =>
        sql`insert into ai_cost_logs (project_id, provider, model, input_tokens, output_tokens, cost_usd, latency_ms, request_id)
            values (1, 'openai', 'gpt-4o', 1, 1, ${cost}, 5, ${requestId})`.execute(db);
      await log('1.50000000', 'r1');
      await expect(log('-1.00000000', 'r2')).rejects.toThrow(/check/i);
      if (ctx.dialect === 'sqlite') {
        // Only the canonical decimal text is accepted: never a REAL, never another spelling.
        for (const bad of [1.5, '1.5', '1.5.0000000', '1e3', ' 1.50000000', '1,50000000']) {
          await expect(log(bad, `bad-${bad}`), String(bad)).rejects.toThrow(/check/i);
        }
      }
      await expect(log('2.00000000', 'r1')).rejects.toThrow(/unique/i);

      const policy = (kind: string, rules: string, name: string) =>
        sql`insert into policies (project_id, name, kind, limit_amount, period, rules)
            values (1, ${name}, ${kind}, '10.00000000', 'month', ${rules})`.execute(db);
      await policy('budget', '{"models":["gpt-4o"]}', 'ok');
      await expect(policy('other', '{}', 'bad-kind')).rejects.toThrow(/check/i);
      await expect(policy('budget', '[1]', 'bad-rules')).rejects.toThrow(/check/i);
      const defaults = await sql<{
        enabled: unknown;
        rules: unknown;
      }>`select enabled, rules from policies where name = 'ok'`.execute(db);
      expect(defaults.rows[0]).toEqual(
        ctx.dialect === 'sqlite'
          ? { enabled: 1, rules: '{"models":["gpt-4o"]}' }
          : { enabled: true, rules: { models: ['gpt-4o'] } },
      );

      await sql`delete from users where id = 1`.execute(db);
      for (const table of ['projects', 'project_api_keys', 'ai_cost_logs', 'policies']) {
        const { rows } = await sql<{
          n: number | string;
        }>`select count(*) as n from ${sql.table(table)}`.execute(db);
        expect(Number(rows[0]?.n), `${table} after deleting its owner`).toBe(0);
      }
    });
  });
});

/** The toolchain's own connection (foreign keys on, as the app has them). */
async function withKysely(url: string, fn: (db: AnyKysely) => Promise<void>): Promise<void> {
  const open = await openDatabase(resolveConfig({}, { env: {}, overrides: { url } }).database);
  try {
    await fn(open.db);
  } finally {
    await open.close();
  }
}

interface Catalog {
  tables: string[];
  columns: Column[];
  foreignKeys: string[];
  uniqueKeys: string[];
  indexes: string[];
}

async function sqliteCatalog(database: TestDatabase): Promise<Catalog> {
  const tables = (
    await database.query<{ name: string }>(
      `select name from sqlite_master where type = 'table' and name <> 'sqlite_sequence' order by name`,
    )
  ).map((r) => r.name);
  const columns: Column[] = [];
  const foreignKeys: string[] = [];
  const uniqueKeys: string[] = [];
  const indexes: string[] = [];
  for (const table of tables) {
    if (table.startsWith('schema_migrations')) continue;
    const info = await database.query<{ name: string; type: string; notnull: number; pk: number }>(
      `pragma table_info(${table})`,
    );
    for (const c of info) {
      columns.push({
        table,
        column: c.name,
        type: c.type.toLowerCase(),
        nullable: c.notnull === 0 && c.pk === 0,
      });
    }
    const fks = await database.query<{ table: string; from: string; to: string; on_delete: string }>(
      `pragma foreign_key_list(${table})`,
    );
    for (const fk of fks) {
      foreignKeys.push(
        `${table}(${fk.from}) -> ${fk.table}(${fk.to}) on delete ${fk.on_delete.toLowerCase()}`,
      );
    }
    for (const index of await database.query<{ name: string; unique: number; origin: string }>(
      `pragma index_list(${table})`,
    )) {
      const cols = (await database.query<{ name: string }>(`pragma index_info(${index.name})`)).map(
        (c) => c.name,
      );
      if (index.origin === 'u') uniqueKeys.push(`${table}(${cols.join(', ')})`);
      if (index.origin === 'c') indexes.push(`${table}(${cols.join(', ')}) ${index.name}`);
    }
  }
  return {
    tables,
    columns,
    foreignKeys: foreignKeys.sort(),
    uniqueKeys: uniqueKeys.sort(),
    indexes: indexes.sort(),
  };
}

async function pgCatalog(database: TestDatabase): Promise<Catalog> {
  const tables = (
    await database.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' order by tablename`,
    )
  ).map((r) => r.tablename);
  const columns = (
    await database.query<{ table: string; column: string; type: string; nullable: boolean }>(
      `select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable
       from pg_attribute a join pg_class c on c.oid = a.attrelid
       where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
         and c.relname not like 'schema_migrations%'
       order by c.relname, a.attnum`,
    )
  ).map((c) => ({ ...c }));
  const constraint = (type: string) =>
    database.query<{ def: string }>(
      `select r.relname || '(' || (select string_agg(a.attname, ', ' order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) || ')'
         || case when c.contype = 'f' then ' -> ' || f.relname || '(' || (select string_agg(a.attname, ', ' order by k.ord)
                from unnest(c.confkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) || ')'
              || ' on delete ' || case c.confdeltype when 'c' then 'cascade' when 'a' then 'no action' else c.confdeltype::text end
            else '' end as def
       from pg_constraint c join pg_class r on r.oid = c.conrelid left join pg_class f on f.oid = c.confrelid
       where r.relnamespace = 'public'::regnamespace and c.contype = '${type}' and r.relname not like 'schema_migrations%'
       order by 1`,
    );
  const indexes = await database.query<{ def: string }>(
    `select t.relname || '(' || (select string_agg(a.attname, ', ' order by k.ord) from unnest(x.indkey) with ordinality k(attnum, ord)
            join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum) || ') ' || i.relname as def
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
     where t.relnamespace = 'public'::regnamespace and t.relname not like 'schema_migrations%'
       and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
     order by 1`,
  );
  return {
    tables,
    columns,
    foreignKeys: (await constraint('f')).map((r) => r.def),
    uniqueKeys: (await constraint('u')).map((r) => r.def),
    indexes: indexes.map((r) => r.def),
  };
}
