import { createTwoFilesPatch } from 'diff';
import type { ResolvedConfig } from '../config/load-config.ts';
import {
  type CodegenOptions,
  type GeneratedTypesFile,
  generateTypesFromLive,
  generateTypesFromMigrations,
  outFileLabel,
} from './generate-types.ts';
import { normalizeNewlines, readGeneratedFile, stripHeader } from './generated-file.ts';

export interface TypesCheck {
  readonly upToDate: boolean;
  /** The output file, relative to the project root. */
  readonly outFile: string;
  readonly exists: boolean;
  /** Unified diff from the file on disk to what the migrations generate; empty when up to date. */
  readonly diff: string;
  readonly generated: GeneratedTypesFile;
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
  options: CodegenOptions & { fromLive?: boolean } = {},
): Promise<TypesCheck> {
  const generated = options.fromLive
    ? await generateTypesFromLive(config)
    : await generateTypesFromMigrations(config, options);
  const outFile = outFileLabel(config);
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
  return { upToDate, outFile, exists: current !== undefined, diff, generated };
}
