import { sql } from 'kysely';
import {
  type GolangMigrateRow,
  type HistoryImportDialect,
  HistoryImportError,
} from '../../engine/history-import.ts';
import { sqliteTrackingDdl } from './sqlite-tracking-ddl.ts';

/**
 * Reading golang-migrate's table on SQLite (its sqlite3 driver:
 * `schema_migrations (version uint64, dirty bool)`, dirty stored as 0/1),
 * Kysely's Migrator's (`kysely_migration (name, timestamp)`) and Prisma
 * Migrate's (`_prisma_migrations`).
 * SQLite has no Supabase history; `schema` is ignored as everywhere in SQLite.
 */
export const sqliteHistoryImport: HistoryImportDialect = {
  async readPrisma(db, table) {
    try {
      const { rows } = await sql<{
        name: string;
        finished: number;
        rolled_back: number;
      }>`select migration_name as name, finished_at is not null as finished, rolled_back_at is not null as rolled_back from ${sql.id(table.name)} order by started_at`.execute(
        db,
      );
      return rows.map((r) => ({
        name: String(r.name),
        finished: isTrue(r.finished),
        rolledBack: isTrue(r.rolled_back),
      }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/no such table/i.test(message)) return null;
      if (/no such column/i.test(message)) {
        throw new HistoryImportError(
          'prisma',
          `${table.name} has no migration_name/finished_at/rolled_back_at columns, so it is not Prisma Migrate's table; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async readKysely(db, table) {
    try {
      const { rows } = await sql<{
        name: string;
      }>`select name from ${sql.id(table.name)} order by name`.execute(db);
      return rows.map((r) => ({ name: String(r.name) }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/no such table/i.test(message)) return null;
      if (/no such column/i.test(message)) {
        throw new HistoryImportError(
          'kysely',
          `${table.name} has no name column, so it is not Kysely's Migrator's table; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async readGolangMigrate(db, table) {
    try {
      const { rows } = await sql<{
        version: number | string | bigint;
        dirty: unknown;
      }>`select version, dirty from ${sql.id(table.name)} order by version`.execute(db);
      return rows.map((r): GolangMigrateRow => ({ version: Number(r.version), dirty: isTrue(r.dirty) }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/no such table/i.test(message)) return null;
      if (/no such column/i.test(message)) {
        throw new HistoryImportError(
          'golang-migrate',
          `${table.name} has no version/dirty columns, so it is not golang-migrate's table${table.name === 'schema_migrations' ? " (if it is kmigrate's own, the import was already done)" : ''}; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async tableExists(db, table) {
    const { rows } = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name = ${table.name}`.execute(db);
    return rows.length > 0;
  },

  async moveAside(trx, table, newName) {
    // golang-migrate's unique index (version_unique) moves with the table and collides with nothing of ours.
    await sql`alter table ${sql.id(table.name)} rename to ${sql.id(newName)}`.execute(trx);
  },

  async createTrackingTables(trx, table) {
    for (const ddl of sqliteTrackingDdl(table.name)) await sql.raw(ddl).execute(trx);
  },
};

/** go-sqlite3 stores bool as 0/1; hand-made tables may hold 'true'/'t'. */
function isTrue(value: unknown): boolean {
  if (typeof value === 'string') return /^(1|t|true|yes)$/i.test(value.trim());
  return value === 1 || value === 1n || value === true;
}
