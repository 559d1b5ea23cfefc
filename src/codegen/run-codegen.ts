import type { ResolvedConfig } from '../config/load-config.ts';
import type { CodegenLog } from './codegen-log.ts';
import {
  type CodegenOptions,
  generateTypesFromLive,
  generateTypesFromMigrations,
  outFileLabel,
  writeGeneratedTypes,
} from './generate-types.ts';
import { parseGeneratedTypes } from './parse-generated-types.ts';
import { describeTypeChanges } from './type-changes.ts';

/** What `codegen` (without --check/--parity) did. */
export interface CodegenWriteResult {
  /** The output file, relative to the project root. */
  readonly outFile: string;
  /** False when the file already had exactly this content (it was not touched). */
  readonly changed: boolean;
  /** Human-readable type changes (tables/columns added, removed, retyped). */
  readonly changes: string[];
  /** True when the file existed before. */
  readonly hadPrevious: boolean;
  readonly tables: number;
  readonly source: 'live' | 'migrations';
  /** The database product for --from-live ("PostgreSQL", "SQLite"), else null. */
  readonly liveDatabase: string | null;
  readonly fingerprint: string | null;
  readonly ms: number;
}

/** Generates the types (from the migrations on a scratch PostgreSQL, or from the live database) and writes them. */
export async function generateAndWriteTypes(
  config: ResolvedConfig,
  options: CodegenOptions & { fromLive?: boolean; log?: CodegenLog },
): Promise<CodegenWriteResult> {
  const generated = options.fromLive
    ? await generateTypesFromLive(config)
    : await generateTypesFromMigrations(config, options);
  const { changed, previous } = await writeGeneratedTypes(config, generated.content);
  return {
    outFile: outFileLabel(config),
    changed,
    changes: describeTypeChanges(previous, generated.content),
    hadPrevious: Boolean(previous),
    tables: parseGeneratedTypes(generated.content).tables.size,
    source: options.fromLive ? 'live' : 'migrations',
    liveDatabase: generated.databaseName ?? null,
    fingerprint: generated.fingerprint ?? null,
    ms: generated.ms,
  };
}
