import { sql } from 'kysely';
import {
  type GolangMigrateRow,
  type HistoryImportDialect,
  HistoryImportError,
  type SupabaseRow,
} from '../../engine/history-import.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { quoteIdent } from '../tracking-row.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
const INVALID_SCHEMA = '3F000';

/** Reading golang-migrate's, Kysely's Migrator's and Supabase CLI's history tables on PostgreSQL. */
export const postgresHistoryImport: HistoryImportDialect = {
  async readPrisma(db, table) {
    try {
      const { rows } = await sql<{
        name: string;
        finished: boolean;
        rolled_back: boolean;
      }>`select migration_name as name, finished_at is not null as finished, rolled_back_at is not null as rolled_back from ${qualified(table)} order by started_at`.execute(
        db,
      );
      return rows.map((r) => ({ name: String(r.name), finished: r.finished, rolledBack: r.rolled_back }));
    } catch (error) {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return null;
      if (code === UNDEFINED_COLUMN) {
        throw new HistoryImportError(
          'prisma',
          `${table.schema}.${table.name} has no migration_name/finished_at/rolled_back_at columns, so it is not Prisma Migrate's table; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async readKysely(db, table) {
    try {
      const { rows } = await sql<{
        name: string;
      }>`select name from ${qualified(table)} order by name`.execute(db);
      return rows.map((r) => ({ name: String(r.name) }));
    } catch (error) {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return null;
      if (code === UNDEFINED_COLUMN) {
        throw new HistoryImportError(
          'kysely',
          `${table.schema}.${table.name} has no name column, so it is not Kysely's Migrator's table; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async readGolangMigrate(db, table) {
    try {
      const { rows } = await sql<{
        version: string | number;
        dirty: boolean;
      }>`select version, dirty from ${qualified(table)} order by version`.execute(db);
      return rows.map((r): GolangMigrateRow => ({ version: Number(r.version), dirty: r.dirty === true }));
    } catch (error) {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return null;
      if (code === UNDEFINED_COLUMN) {
        throw new HistoryImportError(
          'golang-migrate',
          `${table.schema}.${table.name} has no version/dirty columns, so it is not golang-migrate's table${table.name === 'schema_migrations' ? " (if it is kmigrate's own, the import was already done)" : ''}; name the right one with --source-table`,
        );
      }
      throw error;
    }
  },

  async readSupabase(db) {
    try {
      const { rows } =
        await sql<SupabaseRow>`select version, name from supabase_migrations.schema_migrations order by version`.execute(
          db,
        );
      return rows.map((r) => ({ version: String(r.version), name: r.name ?? null }));
    } catch (error) {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return null;
      // Supabase CLIs before 1.x recorded no name column: versions alone still match.
      if (code === UNDEFINED_COLUMN) {
        const { rows } = await sql<{
          version: string;
        }>`select version from supabase_migrations.schema_migrations order by version`.execute(db);
        return rows.map((r) => ({ version: String(r.version), name: null }));
      }
      throw error;
    }
  },

  async tableExists(db, table) {
    const { rows } = await sql<{
      oid: string | null;
    }>`select to_regclass(${`${quoteIdent(table.schema)}.${quoteIdent(table.name)}`})::text as oid`.execute(
      db,
    );
    return rows[0]?.oid != null;
  },

  async moveAside(trx, table, newName) {
    await sql`alter table ${qualified(table)} rename to ${sql.id(newName)}`.execute(trx);
    // Index names stay behind when a table is renamed: golang-migrate's schema_migrations_pkey
    // would collide with the primary key of the table we are about to create.
    const { rows } = await sql<{
      indexname: string;
    }>`select indexname from pg_indexes where schemaname = ${table.schema} and tablename = ${newName}`.execute(
      trx,
    );
    for (const { indexname } of rows) {
      if (!indexname.startsWith(`${table.name}_`)) continue;
      const renamed = `${newName}${indexname.slice(table.name.length)}`.slice(0, 63);
      await sql`alter index ${sql.id(table.schema, indexname)} rename to ${sql.id(renamed)}`.execute(trx);
    }
  },

  async createTrackingTables(trx, table) {
    for (const ddl of postgresTrackingDdl(table.schema, table.name)) await sql.raw(ddl).execute(trx);
  },
};

function qualified(table: TrackingTable) {
  return sql.id(table.schema, table.name);
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
