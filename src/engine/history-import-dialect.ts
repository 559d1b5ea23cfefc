import type { AnyKysely } from './any-kysely.ts';
import type { TrackingTable } from './types.ts';

/** golang-migrate's `schema_migrations(version bigint, dirty boolean)`: normally exactly one row. */
export interface GolangMigrateRow {
  version: number;
  dirty: boolean;
}

/** Supabase CLI's `supabase_migrations.schema_migrations(version text, name text, statements text[])`. */
export interface SupabaseRow {
  version: string;
  name: string | null;
}

/** Kysely's Migrator's `kysely_migration(name varchar primary key, timestamp varchar)`: one row per migration it ran. */
export interface KyselyMigrationRow {
  name: string;
}

/** Prisma Migrate's `_prisma_migrations`: a row per attempt at a migration (its folder's name). */
export interface PrismaMigrationRow {
  name: string;
  /** finished_at is set. */
  finished: boolean;
  /** rolled_back_at is set (`prisma migrate resolve --rolled-back`). */
  rolledBack: boolean;
}

/** The dialect-specific reads and DDL an import needs (src/dialects/<dialect>/<dialect>-history-import.ts). */
export interface HistoryImportDialect {
  /** Prisma Migrate's rows, or null when the table does not exist. */
  readPrisma(db: AnyKysely, table: TrackingTable): Promise<PrismaMigrationRow[] | null>;
  /** Kysely's Migrator's rows (its `name`s), or null when the table does not exist. */
  readKysely(db: AnyKysely, table: TrackingTable): Promise<KyselyMigrationRow[] | null>;
  /** golang-migrate's rows, or null when the table does not exist. */
  readGolangMigrate(db: AnyKysely, table: TrackingTable): Promise<GolangMigrateRow[] | null>;
  /** Supabase CLI's rows, or null when its table does not exist. Absent on dialects without it. */
  readSupabase?(db: AnyKysely): Promise<SupabaseRow[] | null>;
  /** True when a table of that name exists. */
  tableExists(db: AnyKysely, table: TrackingTable): Promise<boolean>;
  /** Renames another tool's table (and its indexes) so ours can take the name. */
  moveAside(trx: AnyKysely, table: TrackingTable, newName: string): Promise<void>;
  /** Our tracking and history tables, inside the caller's transaction. */
  createTrackingTables(trx: AnyKysely, table: TrackingTable): Promise<void>;
}
