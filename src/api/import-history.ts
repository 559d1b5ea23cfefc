import { ConfigError } from '../config/config-error.ts';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { ImportTool } from '../engine/history-import.ts';
import { runHistoryImport } from '../engine/run-history-import.ts';
import type { MigrationSource, TrackingTable } from '../engine/types.ts';
import { type Connection, lockOptionsOf, trackingTableOf } from '../open-migrator.ts';
import type { BaselineResult } from './results.ts';

export interface ImportHistoryOptions {
  /** The tool whose history is adopted. */
  readonly from: ImportTool;
  /**
   * The other tool's table, `[schema.]name`: golang-migrate's (default schema_migrations; renamed
   * aside when it is ours), Kysely's Migrator's (kysely_migration) or Prisma's (_prisma_migrations).
   */
  readonly sourceTable?: string;
  /** The version you believe it is at; the import is refused when it differs. */
  readonly version?: number;
  readonly dryRun?: boolean;
  readonly appliedBy?: string;
}

/** The table each tool keeps its history in, unless --source-table names another. */
const DEFAULT_SOURCE_TABLE: Record<ImportTool, string> = {
  'golang-migrate': 'schema_migrations',
  supabase: 'schema_migrations',
  kysely: 'kysely_migration',
  prisma: '_prisma_migrations',
};

/** KMigrator.importHistory: the engine's one history import, with the facade's argument checks. */
export async function importHistory(
  config: ResolvedConfig,
  { db, adapter, label }: Connection,
  sources: readonly MigrationSource[],
  options: ImportHistoryOptions,
): Promise<BaselineResult> {
  if (options.from === 'supabase' && !adapter.historyImport.readSupabase) {
    throw new ConfigError(
      '--from',
      `supabase needs a PostgreSQL database, not ${adapter.displayName}`,
      'a postgres:// URL of the Supabase project',
    );
  }
  const result = await runHistoryImport({
    db,
    adapter,
    sources,
    table: trackingTableOf(config),
    lock: lockOptionsOf(config),
    tool: options.from,
    sourceTable: parseSourceTable(options.sourceTable ?? DEFAULT_SOURCE_TABLE[options.from], config.schema),
    ...(options.version !== undefined ? { expectedVersion: options.version } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.appliedBy ? { appliedBy: options.appliedBy } : {}),
  });
  return {
    database: label,
    dryRun: result.dryRun,
    from: result.tool,
    version: result.version,
    baselined: result.baselined,
    dirty: result.dirty,
    renamedTable: result.renamedTable,
  };
}

/** `name` or `schema.name`; both parts plain identifiers like the config's table. */
function parseSourceTable(value: string, defaultSchema: string): TrackingTable {
  const match = /^(?:([A-Za-z_][A-Za-z0-9_]{0,62})\.)?([A-Za-z_][A-Za-z0-9_]{0,62})$/.exec(value.trim());
  if (!match)
    throw new ConfigError(
      '--source-table',
      `"${value}" is not a table name`,
      '[schema.]name, letters, digits and _',
    );
  return { schema: match[1] ?? defaultSchema, name: match[2]! };
}
