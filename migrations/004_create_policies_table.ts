/**
 * Spending policies, scoped to a project:
 *   kind 'budget'      — limit_amount is US dollars (exact decimal, like ai_cost_logs.cost_usd);
 *   kind 'token_limit' — limit_amount is input + output tokens;
 * counted over `period` ('day' and 'month' are UTC calendar periods, 'total' is forever),
 * only over calls matching `rules` ({"models": [...], "providers": [...]}, JSON) when set.
 *
 * PostgreSQL: row-level security is enabled on the table. Where Supabase's
 * `authenticated` role exists, signed-in users may manage the policies of the
 * projects they own (matched by the `email` claim of their JWT, which PostgREST
 * puts in request.jwt.claims). On plain PostgreSQL there is no such role and the
 * policies are skipped; the table owner (the app, the migrator) is not subject
 * to RLS either way, since it is enabled but not forced.
 * SQLite has no RLS, and no boolean or JSON types: enabled is 0/1, rules is
 * TEXT checked with json_valid; the app normalises both (src/app/normalize.ts).
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export async function up(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const timestamp = pg ? 'timestamptz' : 'text';
  const now = pg ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

  await db.schema
    .createTable('policies')
    .addColumn('id', 'integer', (c) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('project_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('budget', 'token_limit')`))
    .addColumn('limit_amount', pg ? 'numeric(18, 8)' : 'text', (c) =>
      c
        .notNull()
        .check(
          pg
            ? sql`limit_amount >= 0`
            : sql`limit_amount glob '[0-9]*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' and limit_amount not glob '*[^0-9.]*' and length(limit_amount) - length(replace(limit_amount, '.', '')) = 1`,
        ),
    )
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('day', 'month', 'total')`))
    .addColumn('enabled', pg ? 'boolean' : 'integer', (c) =>
      pg ? c.notNull().defaultTo(true) : c.notNull().defaultTo(1).check(sql`enabled in (0, 1)`),
    )
    .addColumn('rules', pg ? 'jsonb' : 'text', (c) =>
      pg
        ? c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(rules) = 'object'`)
        : c.notNull().defaultTo('{}').check(sql`json_valid(rules) and json_type(rules) = 'object'`),
    )
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addForeignKeyConstraint('policies_project_id_fkey', ['project_id'], 'projects', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    // Also the index for "this project's policies" (its leading column is project_id).
    .addUniqueConstraint('policies_project_id_name_key', ['project_id', 'name'])
    .execute();

  if (!pg) return;
  await sql`alter table policies enable row level security`.execute(db);
  // One policy per command, as the Supabase dashboard writes them. nullif: a
  // blank request.jwt.claims must mean "nobody", not a cast error.
  await sql`
    do $$
    begin
      if exists (select 1 from pg_roles where rolname = 'authenticated') then
        create policy policies_select_own on policies for select to authenticated
          using (exists (select 1 from projects p join users u on u.id = p.owner_id
                         where p.id = policies.project_id
                           and u.email = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')));
        create policy policies_insert_own on policies for insert to authenticated
          with check (exists (select 1 from projects p join users u on u.id = p.owner_id
                              where p.id = policies.project_id
                                and u.email = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')));
        create policy policies_update_own on policies for update to authenticated
          using (exists (select 1 from projects p join users u on u.id = p.owner_id
                         where p.id = policies.project_id
                           and u.email = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')))
          with check (exists (select 1 from projects p join users u on u.id = p.owner_id
                              where p.id = policies.project_id
                                and u.email = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')));
        create policy policies_delete_own on policies for delete to authenticated
          using (exists (select 1 from projects p join users u on u.id = p.owner_id
                         where p.id = policies.project_id
                           and u.email = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')));
      end if;
    end
    $$`.execute(db);
}

export async function down(db: AnyKysely): Promise<void> {
  // Dropping the table also removes its RLS setting and its policies (pg_policy rows depend on it).
  await db.schema.dropTable('policies').execute();
}
