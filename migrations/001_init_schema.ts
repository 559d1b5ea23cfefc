/**
 * The core tables: users, their projects, and each project's API keys.
 *
 * One schema, two dialects. PostgreSQL (production) gets its native types;
 * SQLite (development) gets the closest exact equivalent, and the app
 * normalises what the drivers return (see src/app/normalize.ts):
 *   - ids: identity columns / INTEGER PRIMARY KEY AUTOINCREMENT, both start at 1;
 *   - timestamps: timestamptz / ISO-8601 UTC text ('2025-01-31T12:00:00.000Z'),
 *     which sorts and compares correctly as text.
 * API keys are never stored: only their sha256 (hex) and a short display prefix.
 */
import { sql } from 'kysely';
import { dialectOf } from '../src/dialects/adapter-for-kysely.ts';
import type { AnyKysely } from '../src/engine/any-kysely.ts';

export async function up(db: AnyKysely): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const timestamp = pg ? 'timestamptz' : 'text';
  const now = pg ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('users_email_key', ['email'])
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'integer', (c) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('owner_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addForeignKeyConstraint('projects_owner_id_fkey', ['owner_id'], 'users', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addUniqueConstraint('projects_owner_id_name_key', ['owner_id', 'name'])
    .execute();

  await db.schema
    .createTable('project_api_keys')
    .addColumn('id', 'integer', (c) =>
      pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('project_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // sha256 of the key, hex: 64 characters. The key itself is shown once, at creation.
    .addColumn('key_hash', 'text', (c) => c.notNull().check(sql`length(key_hash) = 64`))
    // The first characters of the key, so a human can tell keys apart in a list.
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(now))
    .addColumn('revoked_at', timestamp)
    .addForeignKeyConstraint('project_api_keys_project_id_fkey', ['project_id'], 'projects', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addUniqueConstraint('project_api_keys_key_hash_key', ['key_hash'])
    .execute();
}

export async function down(db: AnyKysely): Promise<void> {
  await db.schema.dropTable('project_api_keys').execute();
  await db.schema.dropTable('projects').execute();
  await db.schema.dropTable('users').execute();
}
