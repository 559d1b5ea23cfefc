/**
 * Indexes for the app's real queries on the 001 tables:
 *   - projects_owner_id_idx: a user's projects, and ON DELETE CASCADE from users
 *     (PostgreSQL does not index foreign keys by itself);
 *   - project_api_keys_project_id_idx: a project's keys, and the cascade from projects.
 * (The API-key lookup by hash already has the unique index of project_api_keys_key_hash_key.)
 *
 * On PostgreSQL this is the production case: CREATE INDEX CONCURRENTLY does not
 * block writes, but it cannot run inside a transaction, hence `transaction = false`
 * (the engine then holds a session advisory lock and marks the row running → applied).
 * A CONCURRENTLY build that fails leaves an INVALID index behind; up drops such a
 * leftover first, so a rerun after `migrate force 2 --not-applied` just works.
 * SQLite has no concurrent builds: plain CREATE INDEX.
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export const transaction = false;

const INDEXES = [
  { name: 'projects_owner_id_idx', table: 'projects', column: 'owner_id' },
  { name: 'project_api_keys_project_id_idx', table: 'project_api_keys', column: 'project_id' },
] as const;

export async function up(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  for (const index of INDEXES) {
    if (!pg) {
      await db.schema.createIndex(index.name).on(index.table).column(index.column).execute();
      continue;
    }
    const { rows } = await sql<{ valid: boolean }>`
      select i.indisvalid as valid
      from pg_index i
      join pg_class c on c.oid = i.indexrelid
      where c.relname = ${index.name} and c.relnamespace = current_schema()::regnamespace`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`drop index concurrently ${sql.id(index.name)}`.execute(db);
    await sql`create index concurrently if not exists ${sql.id(index.name)} on ${sql.id(index.table)} (${sql.id(index.column)})`.execute(
      db,
    );
  }
}

export async function down(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  for (const index of [...INDEXES].reverse()) {
    if (pg) await sql`drop index concurrently if exists ${sql.id(index.name)}`.execute(db);
    else await db.schema.dropIndex(index.name).ifExists().execute();
  }
}
