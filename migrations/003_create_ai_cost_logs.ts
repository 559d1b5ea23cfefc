/**
 * One row per AI model call: who (project), what (provider, model, tokens),
 * what it cost and how long it took.
 *
 * Money is exact. PostgreSQL: numeric(18, 8), which pg returns as a string.
 * SQLite has no exact decimal type (NUMERIC affinity would turn it into a
 * REAL), so the cost is TEXT holding the canonical decimal string the app
 * writes, `digits.8digits`; the CHECK keeps that shape, which lets the app sum
 * exactly in SQL as integers of 1e-8 (see src/app/money.ts).
 *
 * request_id is the provider's id for the call and is unique per project: a
 * retried POST is rejected instead of counted twice, and one project cannot
 * learn which request ids another project has used.
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export async function up(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('ai_cost_logs')
    // SQLite allows AUTOINCREMENT only on a column declared exactly INTEGER PRIMARY KEY (it is 64-bit).
    .addColumn('id', pg ? 'bigint' : 'integer', (c) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('project_id', 'integer', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'integer', (c) => c.notNull().check(sql`input_tokens >= 0`))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().check(sql`output_tokens >= 0`))
    .addColumn('cost_usd', pg ? 'numeric(18, 8)' : 'text', (c) =>
      c
        .notNull()
        .check(
          pg
            ? sql`cost_usd >= 0`
            : sql`cost_usd glob '[0-9]*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' and cost_usd not glob '*[^0-9.]*' and length(cost_usd) - length(replace(cost_usd, '.', '')) = 1`,
        ),
    )
    .addColumn('latency_ms', 'integer', (c) => c.notNull().check(sql`latency_ms >= 0`))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('created_at', pg ? 'timestamptz' : 'text', (c) =>
      c.notNull().defaultTo(pg ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
    )
    .addForeignKeyConstraint('ai_cost_logs_project_id_fkey', ['project_id'], 'projects', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addUniqueConstraint('ai_cost_logs_project_id_request_id_key', ['project_id', 'request_id'])
    .execute();

  // Every read is "this project, this period": the summary and the budget checks.
  await db.schema
    .createIndex('ai_cost_logs_project_id_created_at_idx')
    .on('ai_cost_logs')
    .columns(['project_id', 'created_at'])
    .execute();
}

export async function down(db: AnyKysely): Promise<void> {
  await db.schema.dropIndex('ai_cost_logs_project_id_created_at_idx').execute();
  await db.schema.dropTable('ai_cost_logs').execute();
}
