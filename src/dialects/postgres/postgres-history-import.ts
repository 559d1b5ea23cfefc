import { sql } from 'kysely';
import type { HistoryImportDialect, SupabaseRow } from '../../engine/history-import.ts';
import type { TrackingTable } from '../../engine/types.ts';
import { toolTableReaders } from '../history-import-readers.ts';
import { quoteIdent } from '../tracking-row.ts';
import { postgresTrackingDdl } from './postgres-tracking-ddl.ts';

const UNDEFINED_TABLE = '42P01';
const UNDEFINED_COLUMN = '42703';
const INVALID_SCHEMA = '3F000';

/** Reading golang-migrate's, Kysely's Migrator's, Prisma Migrate's and Supabase CLI's history tables on PostgreSQL. */
export const postgresHistoryImport: HistoryImportDialect = {
  ...toolTableReaders({
    ref: qualified,
    label: (table) => `${table.schema}.${table.name}`,
    classify: (error) => {
      const code = sqlState(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return 'absent';
      return code === UNDEFINED_COLUMN ? 'columns' : undefined;
    },
  }),

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
