/**
 * Adopting a database another tool migrated: its history (golang-migrate's
 * one-row table, or Supabase CLI's list of versions) is matched against our
 * files, and refused unless it matches exactly. The matching is pure; the
 * write (writeImportedHistory) is one locked transaction, so an import is
 * all or nothing.
 */
import { adviceCommand } from './advice.ts';
import type { AnyKysely } from './any-kysely.ts';
import { describeRunner } from './applied-by.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import { MigrateError } from './errors.ts';
import type {
  GolangMigrateRow,
  HistoryImportDialect,
  KyselyMigrationRow,
  PrismaMigrationRow,
  SupabaseRow,
} from './history-import-dialect.ts';
import { TrackingStore } from './tracking-store.ts';
import type { MigrationSource, TrackingTable } from './types.ts';

export type {
  GolangMigrateRow,
  HistoryImportDialect,
  KyselyMigrationRow,
  PrismaMigrationRow,
  SupabaseRow,
} from './history-import-dialect.ts';

export type ImportTool = 'golang-migrate' | 'supabase' | 'kysely' | 'prisma';

/** What an import will write. */
export interface ImportPlan {
  readonly tool: ImportTool;
  /** Recorded as applied, in version order. */
  readonly applied: readonly MigrationSource[];
  /** Recorded as started but not finished (golang-migrate's dirty flag). */
  readonly dirty?: { readonly source: MigrationSource; readonly error: string };
  /** Newest version the other tool knew. */
  readonly version: number;
  /** Goes into each history row's details. */
  readonly details: string;
}

/** The other tool's history does not fit our files, or cannot be read. Nothing was changed. */
export class HistoryImportError extends MigrateError {
  override readonly name = 'HistoryImportError';
  readonly exitCode = 4;
  constructor(
    readonly tool: ImportTool,
    readonly problem: string,
  ) {
    super(`cannot import ${tool} history: ${problem}; nothing was changed`);
  }
}

/**
 * golang-migrate keeps only the newest version: every file up to it counts
 * as applied. Dirty means the last step it ran did not finish, so that
 * version is recorded as `running`, which our engine treats as dirty.
 */
export function planGolangMigrateImport(
  sources: readonly MigrationSource[],
  rows: readonly GolangMigrateRow[],
  tableName: string,
): ImportPlan {
  if (rows.length === 0) {
    throw new HistoryImportError(
      'golang-migrate',
      `${tableName} is empty (no migration applied there); run \`${adviceCommand('latest')}\` instead`,
    );
  }
  if (rows.length > 1) {
    throw new HistoryImportError(
      'golang-migrate',
      `${tableName} has ${rows.length} rows, golang-migrate keeps exactly one; is it really golang-migrate's table?`,
    );
  }
  const { version, dirty } = rows[0]!;
  const source = sources.find((s) => s.version === version);
  if (!source) {
    throw new HistoryImportError(
      'golang-migrate',
      `it is at version ${version}, but no migration file has that version (${describeFiles(sources)})`,
    );
  }
  const below = sources.filter((s) => s.version < version);
  const details = `imported from golang-migrate (${tableName} at version ${version}${dirty ? ', dirty' : ''})`;
  if (!dirty) return { tool: 'golang-migrate', applied: [...below, source], version, details };
  return {
    tool: 'golang-migrate',
    applied: below,
    version,
    details,
    dirty: {
      source,
      error: `imported from golang-migrate, where version ${version} was dirty: the last migration it ran (the up of ${version}, or the down of the one after it) did not finish`,
    },
  };
}

/**
 * Supabase keeps one row per applied migration. Each must be one of our
 * files (same version, and same name when Supabase recorded one), and every
 * file up to the newest of them must have been applied: no gaps.
 */
export function planSupabaseImport(
  sources: readonly MigrationSource[],
  rows: readonly SupabaseRow[],
): ImportPlan {
  if (rows.length === 0) {
    throw new HistoryImportError(
      'supabase',
      `supabase_migrations.schema_migrations is empty (no migration applied there); run \`${adviceCommand('latest')}\` instead`,
    );
  }
  const byVersion = new Map(sources.map((s) => [s.version, s]));
  const imported = rows.map((row) => {
    if (!/^\d+$/.test(row.version.trim()) || !Number.isSafeInteger(Number(row.version))) {
      throw new HistoryImportError(
        'supabase',
        `version "${row.version}" is not a number like 20240101120000`,
      );
    }
    return { version: Number(row.version), name: row.name?.trim() || null };
  });
  imported.sort((a, b) => a.version - b.version);
  for (const row of imported) {
    const source = byVersion.get(row.version);
    if (!source) {
      throw new HistoryImportError(
        'supabase',
        `version ${row.version}${row.name ? ` (${row.name})` : ''} has no migration file; add ${row.version}_${row.name ?? 'name'}.up.sql (or .ts) with what it did`,
      );
    }
    if (row.name && row.name !== source.name) {
      throw new HistoryImportError(
        'supabase',
        `version ${row.version} is "${row.name}" in Supabase but the file is ${source.files[0] ?? source.id}; rename the file to match`,
      );
    }
  }
  const newest = imported[imported.length - 1]!.version;
  const seen = new Set(imported.map((r) => r.version));
  const gaps = sources.filter((s) => s.version <= newest && !seen.has(s.version));
  if (gaps.length) {
    throw new HistoryImportError(
      'supabase',
      `${gaps.map((g) => g.files[0] ?? g.id).join(', ')} ${gaps.length === 1 ? 'is' : 'are'} older than the newest Supabase version ${newest} but Supabase never applied ${gaps.length === 1 ? 'it' : 'them'} (a gap); apply ${gaps.length === 1 ? 'it' : 'them'} there first, or renumber above ${newest}`,
    );
  }
  return {
    tool: 'supabase',
    applied: sources.filter((s) => s.version <= newest),
    version: newest,
    details: `imported from supabase (supabase_migrations.schema_migrations, ${imported.length} versions up to ${newest})`,
  };
}

/**
 * Kysely's Migrator keeps one row per migration it ran, keyed by the file's
 * name without its extension — our MigrationSource.id. Kysely ran them in the
 * order of their names, which is ours for names that start with zero-padded
 * numbers or timestamps of one length.
 */
export function planKyselyImport(
  sources: readonly MigrationSource[],
  rows: readonly KyselyMigrationRow[],
  tableName: string,
): ImportPlan {
  return planNamedImport(
    'kysely',
    "Kysely's Migrator",
    sources,
    rows.map((r) => r.name),
    tableName,
  );
}

/**
 * Prisma Migrate keeps a row per attempt (`_prisma_migrations`), keyed by the
 * migration's folder name — our id for `<timestamp>_<name>/migration.sql`.
 * Finished and not rolled back: applied. Started and never finished, not
 * rolled back: failed there — refused until `prisma migrate resolve` says what
 * it is (kmigrate would otherwise have to guess).
 */
export function planPrismaImport(
  sources: readonly MigrationSource[],
  rows: readonly PrismaMigrationRow[],
  tableName: string,
): ImportPlan {
  const applied = new Set(rows.filter((r) => r.finished && !r.rolledBack).map((r) => r.name));
  const failed = rows.filter((r) => !r.finished && !r.rolledBack && !applied.has(r.name)).map((r) => r.name);
  if (failed.length) {
    throw new HistoryImportError(
      'prisma',
      `${failed.join(', ')} failed under Prisma (started, never finished, not rolled back); mark ${failed.length === 1 ? 'it' : 'them'} with \`prisma migrate resolve --applied\` or \`--rolled-back\` first`,
    );
  }
  return planNamedImport('prisma', 'Prisma Migrate', sources, [...applied], tableName);
}

/**
 * A tool that keeps one row per migration it ran, by our id: each must be one
 * of our files, and every file up to the newest of them (in version order)
 * must have run — no gaps.
 */
function planNamedImport(
  tool: ImportTool,
  toolName: string,
  sources: readonly MigrationSource[],
  names: readonly string[],
  tableName: string,
): ImportPlan {
  if (names.length === 0) {
    throw new HistoryImportError(
      tool,
      `${tableName} records no applied migration; run \`${adviceCommand('latest')}\` instead`,
    );
  }
  const byId = new Map(sources.map((s) => [s.id, s]));
  const unknown = names.filter((name) => !byId.has(name));
  if (unknown.length) {
    throw new HistoryImportError(
      tool,
      `${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? `, … (${unknown.length})` : ''} ${unknown.length === 1 ? 'has' : 'have'} no migration file of that name (kmigrate names need a leading version: 001_name.ts, 20240101120000_name/migration.sql); add or rename the file${unknown.length === 1 ? '' : 's'} so that the name without extension is the same`,
    );
  }
  const applied = new Set(names);
  const newest = Math.max(...names.map((name) => byId.get(name)!.version));
  const gaps = sources.filter((s) => s.version <= newest && !applied.has(s.id));
  if (gaps.length) {
    throw new HistoryImportError(
      tool,
      `${gaps.map((g) => g.files[0] ?? g.id).join(', ')} ${gaps.length === 1 ? 'is' : 'are'} older than the newest migration ${toolName} ran (${newest}) but ${gaps.length === 1 ? 'was' : 'were'} never run there (a gap); run ${gaps.length === 1 ? 'it' : 'them'} there first, or renumber above ${newest}`,
    );
  }
  return {
    tool,
    applied: sources.filter((s) => s.version <= newest),
    version: newest,
    details: `imported from ${toolName} (${tableName}, ${names.length} migrations up to ${newest})`,
  };
}

export interface WriteImportOptions {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  readonly dialect: HistoryImportDialect;
  readonly table: TrackingTable;
  readonly lock: LockOptions;
  readonly plan: ImportPlan;
  /** golang-migrate's table when it has our table's name: renamed to `newName` first. */
  readonly moveAside?: { table: TrackingTable; newName: string };
  readonly appliedBy?: string;
}

/**
 * One transaction under the migration lock: move the other tool's table
 * aside (if it has our name), create our tables, refuse if they already hold
 * rows, then write the rows and their history.
 */
export async function writeImportedHistory(options: WriteImportOptions): Promise<void> {
  const { adapter, dialect, table, plan } = options;
  const store = new TrackingStore(table, adapter, options.appliedBy ?? describeRunner());
  await adapter.runLocked(options.db, table, options.lock, undefined, async (trx) => {
    if (options.moveAside) await dialect.moveAside(trx, options.moveAside.table, options.moveAside.newName);
    await dialect.createTrackingTables(trx, table);
    const rows = (await store.read(trx)) ?? [];
    if (rows.length > 0) {
      throw new HistoryImportError(
        plan.tool,
        `${table.name} already has ${rows.length} tracking row(s); an import only fills an empty tracking table (use \`${adviceCommand('baseline <version>')}\` to extend it)`,
      );
    }
    const write = async (source: MigrationSource, state: 'applied' | 'running', error: string | null) => {
      const row = { version: source.version, name: source.name, checksum: source.checksum };
      await store.run(
        trx,
        store.insert(trx, { ...row, state, executionMs: 0, error }),
        store.appendHistory(trx, {
          ...row,
          action: 'baseline',
          executionMs: 0,
          details: state === 'running' ? `${plan.details}; recorded dirty` : plan.details,
        }),
      );
    };
    for (const source of plan.applied) await write(source, 'applied', null);
    if (plan.dirty) await write(plan.dirty.source, 'running', plan.dirty.error);
  });
}

function describeFiles(sources: readonly MigrationSource[]): string {
  if (!sources.length) return 'the folder is empty';
  const versions = sources.map((s) => s.version);
  return `files: ${versions.slice(0, 8).join(', ')}${versions.length > 8 ? ', …' : ''}`;
}
