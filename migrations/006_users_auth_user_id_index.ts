/**
 * One app user per auth user: a unique index on users.auth_user_id (005).
 * users holds rows in production, so on PostgreSQL the index is built
 * CONCURRENTLY, outside a transaction (writes go on meanwhile); it is this
 * migration's only statement, so a failure leaves nothing half-done (an
 * invalid index is dropped by the `if exists` of a re-run's down, or by hand).
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export const transaction = false;

export async function up(db: AnyKysely): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`create unique index concurrently if not exists users_auth_user_id_key on users (auth_user_id)`.execute(
      db,
    );
    return;
  }
  await db.schema
    .createIndex('users_auth_user_id_key')
    .ifNotExists()
    .on('users')
    .column('auth_user_id')
    .unique()
    .execute();
}

export async function down(db: AnyKysely): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`drop index concurrently if exists users_auth_user_id_key`.execute(db);
    return;
  }
  await db.schema.dropIndex('users_auth_user_id_key').ifExists().execute();
}
