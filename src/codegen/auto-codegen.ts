import type { ResolvedConfig } from '../config/load-config.ts';
import { adviceCommand } from '../engine/advice.ts';
import type { CodegenLog } from './codegen-log.ts';
import { migrationsFingerprint } from './fingerprint.ts';
import { generateTypesFromMigrations, outFileLabel, writeGeneratedTypes } from './generate-types.ts';
import { readFingerprint, readGeneratedFile } from './generated-file.ts';
import { describeTypeChanges } from './type-changes.ts';

export type { CodegenLog } from './codegen-log.ts';

export interface AutoCodegenResult {
  /**
   * `skipped`: the file's fingerprint matches the migrations, nothing was started.
   * `written`/`unchanged`: types were regenerated (and the file changed or not).
   * `failed`: a warning was printed; the migration itself still succeeded.
   */
  readonly status: 'skipped' | 'written' | 'unchanged' | 'failed';
  readonly fingerprint?: string;
  /** True when a scratch PostgreSQL was started (or created) for this run. */
  readonly startedPostgres: boolean;
  readonly ms: number;
}

/**
 * Called after latest/up/down applied something in development (see
 * cli/codegen-hook.ts, which handles --no-codegen and NODE_ENV=production).
 * Fast path: when the fingerprint in the generated file's header equals the
 * migrations' fingerprint, the types cannot have changed, so no PostgreSQL is
 * started. Never throws: the migration already succeeded, a codegen problem
 * is a warning.
 */
export async function runAutoCodegen(
  config: ResolvedConfig,
  log: CodegenLog,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AutoCodegenResult> {
  const started = Date.now();
  const outFile = outFileLabel(config);
  let startedPostgres = false;
  try {
    const fingerprint = await migrationsFingerprint(config);
    const current = await readGeneratedFile(config.codegenOutPath);
    if (readFingerprint(current) === fingerprint) {
      log.log(`Types in ${outFile} are current (migrations unchanged); codegen skipped.`);
      return { status: 'skipped', fingerprint, startedPostgres, ms: Date.now() - started };
    }
    startedPostgres = true;
    const generated = await generateTypesFromMigrations(config, { env, log });
    const { changed } = await writeGeneratedTypes(config, generated.content);
    const changes = describeTypeChanges(current, generated.content);
    log.log(
      changed
        ? `Regenerated ${outFile} in ${generated.ms} ms${changes.length ? ':' : ' (header only).'}`
        : `Types in ${outFile} were already current (${generated.ms} ms).`,
    );
    for (const line of changes) log.log(`  ${line}`);
    return {
      status: changed ? 'written' : 'unchanged',
      fingerprint,
      startedPostgres,
      ms: Date.now() - started,
    };
  } catch (error) {
    log.warn(
      `types in ${outFile} were not regenerated: ${(error as Error).message}; run \`${adviceCommand('codegen', { cwd: config.rootDir })}\` once it is fixed`,
    );
    return { status: 'failed', startedPostgres, ms: Date.now() - started };
  }
}
