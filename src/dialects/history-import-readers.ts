import { type RawBuilder, sql } from 'kysely';
import type { AnyKysely } from '../engine/any-kysely.ts';
import {
  type GolangMigrateRow,
  type HistoryImportDialect,
  HistoryImportError,
  type ImportTool,
} from '../engine/history-import.ts';
import type { TrackingTable } from '../engine/types.ts';

/** How a dialect names a table in SQL and in messages, and what a failed read of it means. */
export interface ToolTableAccess {
  ref(table: TrackingTable): RawBuilder<unknown>;
  label(table: TrackingTable): string;
  /** `absent`: no such table (or schema); `columns`: it lacks a column read; undefined: anything else. */
  classify(error: unknown): 'absent' | 'columns' | undefined;
}

type ToolReaders = Pick<HistoryImportDialect, 'readGolangMigrate' | 'readKysely' | 'readPrisma'>;

/** Reading golang-migrate's, Kysely's Migrator's and Prisma Migrate's tables, the same on every dialect. */
export function toolTableReaders(access: ToolTableAccess): ToolReaders {
  /** Another tool's rows; null when its table does not exist; refused when it lacks the columns read. */
  const read = async <T>(
    db: AnyKysely,
    table: TrackingTable,
    query: (ref: RawBuilder<unknown>) => RawBuilder<T>,
    tool: ImportTool,
    columns: string,
    whose: string,
  ): Promise<T[] | null> => {
    try {
      return (await query(access.ref(table)).execute(db)).rows;
    } catch (error) {
      const kind = access.classify(error);
      if (kind === 'absent') return null;
      if (kind === 'columns') throw notTheirs(tool, access.label(table), columns, whose);
      throw error;
    }
  };
  return {
    async readGolangMigrate(db, table) {
      const rows = await read(
        db,
        table,
        (ref) =>
          sql<{ version: unknown; dirty: unknown }>`select version, dirty from ${ref} order by version`,
        'golang-migrate',
        'version/dirty columns',
        "golang-migrate's",
      );
      return (
        rows?.map((r): GolangMigrateRow => ({ version: Number(r.version), dirty: isTrue(r.dirty) })) ?? null
      );
    },
    async readKysely(db, table) {
      const rows = await read(
        db,
        table,
        (ref) => sql<{ name: unknown }>`select name from ${ref} order by name`,
        'kysely',
        'name column',
        "Kysely's Migrator's",
      );
      return rows?.map((r) => ({ name: String(r.name) })) ?? null;
    },
    async readPrisma(db, table) {
      const rows = await read(
        db,
        table,
        (ref) =>
          sql<{
            name: unknown;
            finished: unknown;
            rolled_back: unknown;
          }>`select migration_name as name, finished_at is not null as finished, rolled_back_at is not null as rolled_back from ${ref} order by started_at`,
        'prisma',
        'migration_name/finished_at/rolled_back_at columns',
        "Prisma Migrate's",
      );
      return (
        rows?.map((r) => ({
          name: String(r.name),
          finished: isTrue(r.finished),
          rolledBack: isTrue(r.rolled_back),
        })) ?? null
      );
    },
  };
}

/** The table named as another tool's (`label`) lacks the columns that tool keeps. */
function notTheirs(tool: ImportTool, label: string, columns: string, whose: string): Error {
  // golang-migrate's default name is also ours: an import already done leaves our table there.
  const ours = tool === 'golang-migrate' && /(^|\.)schema_migrations$/.test(label);
  return new HistoryImportError(
    tool,
    `${label} has no ${columns}, so it is not ${whose} table${ours ? " (if it is kmigrate's own, the import was already done)" : ''}; name the right one with --source-table`,
  );
}

/** A boolean as each driver returns it: PostgreSQL's true, SQLite's 1, golang-migrate's text. */
function isTrue(value: unknown): boolean {
  if (typeof value === 'string') return /^(1|t|true|yes)$/i.test(value.trim());
  return value === 1 || value === 1n || value === true;
}
