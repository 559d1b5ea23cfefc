import { createTwoFilesPatch } from 'diff';
import type { ResolvedConfig } from '../config/load-config.ts';
import { migrationsFingerprint } from './fingerprint.ts';
import {
  type CodegenOptions,
  type GeneratedTypesFile,
  generateTypesFromLive,
  generateTypesFromMigrations,
  outFileLabel,
} from './generate-types.ts';
import {
  isUntouched,
  normalizeNewlines,
  readFingerprint,
  readGeneratedFile,
  stripHeader,
} from './generated-file.ts';

export interface TypesCheck {
  readonly upToDate: boolean;
  /** True when the fingerprint fast path decided, without regenerating. */
  readonly fast: boolean;
  readonly ms: number;
  /** The output file, relative to the project root. */
  readonly outFile: string;
  readonly exists: boolean;
  /** Unified diff from the file on disk to what the migrations generate; empty when up to date. */
  readonly diff: string;
  /** Absent when the fast path decided. */
  readonly generated?: GeneratedTypesFile;
}

/**
 * CI's check: regenerates the types from the migrations on a scratch
 * PostgreSQL (no secrets, no live database) and compares them with the file
 * on disk. Line endings are ignored (a CRLF checkout is not a change).
 * With `fromLive`, compares the connected database's types instead, header
 * excluded (the live file's header differs by design).
 */
export async function checkGeneratedTypes(
  config: ResolvedConfig,
  options: CodegenOptions & { fromLive?: boolean; full?: boolean } = {},
): Promise<TypesCheck> {
  const started = performance.now();
  const outFile = outFileLabel(config);
  if (!options.fromLive && !options.full) {
    // Fast path: same migrations, same generator, and a body nobody edited since it was generated
    // means regenerating would give the same bytes. Anything else falls through to a full build.
    const current = await readGeneratedFile(config.codegenOutPath);
    if (
      current !== undefined &&
      readFingerprint(current) === (await migrationsFingerprint(config)) &&
      isUntouched(current)
    ) {
      return {
        upToDate: true,
        fast: true,
        ms: Math.round(performance.now() - started),
        outFile,
        exists: true,
        diff: '',
      };
    }
  }
  const generated = options.fromLive
    ? await generateTypesFromLive(config)
    : await generateTypesFromMigrations(config, options);
  const current = await readGeneratedFile(config.codegenOutPath);
  const comparable = (text: string) => (options.fromLive ? stripHeader(text) : normalizeNewlines(text));
  const before = current === undefined ? '' : comparable(current);
  const after = comparable(generated.content);
  const upToDate = current !== undefined && before === after;
  const diff = upToDate
    ? ''
    : createTwoFilesPatch(
        `a/${outFile}`,
        `b/${outFile}`,
        before,
        after,
        current === undefined ? '(does not exist)' : '(on disk)',
        options.fromLive ? '(from the live database)' : '(generated from the migrations)',
      );
  return {
    upToDate,
    fast: false,
    ms: Math.round(performance.now() - started),
    outFile,
    exists: current !== undefined,
    diff,
    generated,
  };
}
