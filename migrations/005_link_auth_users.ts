/**
 * Links the app's users to Supabase Auth: users.auth_user_id is the id of the
 * auth.users row the person signs in with (null until linked; one app user per
 * auth user).
 *
 * The column exists on every database, so the generated types are the same
 * everywhere. Only its foreign key needs Supabase: on PostgreSQL it is added
 * when auth.users exists (Supabase, or the stand-in verify/drift/codegen build
 * on with platform: 'supabase'), in a DO block that does nothing on plain
 * PostgreSQL. SQLite has no auth schema: the column is plain text there.
 * Deleting the auth user unlinks (on delete set null); the app's data stays.
 * The unique index comes in 006, built CONCURRENTLY: users already holds rows.
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export async function up(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .alterTable('users')
    .addColumn('auth_user_id', pg ? 'uuid' : 'text')
    .execute();
  if (!pg) return;
  await sql`
    do $$
    begin
      if to_regclass('auth.users') is not null then
        alter table users add constraint users_auth_user_id_fkey
          foreign key (auth_user_id) references auth.users (id) on delete set null;
      end if;
    end
    $$`.execute(db);
}

export async function down(db: AnyKysely): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table users drop constraint if exists users_auth_user_id_fkey`.execute(db);
  }
  await db.schema.alterTable('users').dropColumn('auth_user_id').execute();
}
