import { sql } from 'kysely';
import type { HistoryImportDialect } from '../../engine/history-import.ts';
import { toolTableReaders } from '../history-import-readers.ts';
import { sqliteTrackingDdl } from './sqlite-tracking-ddl.ts';

/**
 * Reading golang-migrate's table on SQLite (its sqlite3 driver:
 * `schema_migrations (version uint64, dirty bool)`, dirty stored as 0/1),
 * Kysely's Migrator's (`kysely_migration (name, timestamp)`) and Prisma
 * Migrate's (`_prisma_migrations`).
 * SQLite has no Supabase history; `schema` is ignored as everywhere in SQLite.
 */
export const sqliteHistoryImport: HistoryImportDialect = {
  ...toolTableReaders({
    ref: (table) => sql.id(table.name),
    label: (table) => table.name,
    classify: (error) => {
      const message = error instanceof Error ? error.message : String(error);
      if (/no such table/i.test(message)) return 'absent';
      return /no such column/i.test(message) ? 'columns' : undefined;
    },
  }),

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
