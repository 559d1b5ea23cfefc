import type { ResolvedConfig } from '../config/load-config.ts';
import { buildAndRender } from './build-schema.ts';
import { type CodegenLog, SILENT_LOG } from './codegen-log.ts';
import type { CodegenOptions } from './generate-types.ts';
import { parseGeneratedTypes, referencedAliases } from './parse-generated-types.ts';
import { sortedUnion } from './type-changes.ts';

/** One column (or a whole table, column null) whose TypeScript type differs between the dialects. */
export interface ParityDifference {
  readonly table: string;
  readonly column: string | null;
  /** null: missing on that side. */
  readonly sqlite: string | null;
  readonly postgres: string | null;
}

export interface ParityReport {
  readonly differences: readonly ParityDifference[];
  /** Definitions of the aliases the differing types use (`Timestamp`, `Json`, …), per dialect. */
  readonly aliases: { readonly sqlite: Record<string, string>; readonly postgres: Record<string, string> };
  readonly tables: { readonly sqlite: number; readonly postgres: number };
  readonly ms: number;
}

/**
 * Dev/prod parity: the same migrations built on a scratch SQLite file and a
 * scratch PostgreSQL, both generated, compared column by column. A
 * difference means app code sees other values in development than in
 * production (Date vs string, boolean vs 0/1, …) unless it normalises them.
 */
export async function compareDialectTypes(
  config: ResolvedConfig,
  options: CodegenOptions = {},
): Promise<ParityReport> {
  const started = Date.now();
  const log: CodegenLog = options.log ?? SILENT_LOG;
  const env = options.env ?? process.env;
  const sqliteSource = (await buildAndRender(config, 'sqlite', { env, log })).body;
  const postgresSource = (await buildAndRender(config, 'postgres', { env, log })).body;
  const sqlite = parseGeneratedTypes(sqliteSource);
  const postgres = parseGeneratedTypes(postgresSource);
  const differences: ParityDifference[] = [];
  for (const table of sortedUnion(sqlite.tables.keys(), postgres.tables.keys())) {
    const s = sqlite.tables.get(table);
    const p = postgres.tables.get(table);
    if (!s || !p) {
      differences.push({ table, column: null, sqlite: s ? 'table' : null, postgres: p ? 'table' : null });
      continue;
    }
    for (const column of sortedUnion(s.keys(), p.keys())) {
      const sType = s.get(column) ?? null;
      const pType = p.get(column) ?? null;
      if (sType !== pType) differences.push({ table, column, sqlite: sType, postgres: pType });
    }
  }
  // Aliases the differing types use, when their definitions differ (Generated<T> is the same on both).
  const aliases = { sqlite: {} as Record<string, string>, postgres: {} as Record<string, string> };
  const names = differences.flatMap((d) => [
    ...referencedAliases(d.sqlite ?? '', sqlite.aliases),
    ...referencedAliases(d.postgres ?? '', postgres.aliases),
  ]);
  for (const name of sortedUnion(names, [])) {
    const s = sqlite.aliases.get(name);
    const p = postgres.aliases.get(name);
    if (s === p) continue;
    if (s !== undefined) aliases.sqlite[name] = s;
    if (p !== undefined) aliases.postgres[name] = p;
  }
  return {
    differences,
    aliases,
    tables: { sqlite: sqlite.tables.size, postgres: postgres.tables.size },
    ms: Date.now() - started,
  };
}
