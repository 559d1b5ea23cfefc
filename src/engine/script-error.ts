import type { DatabaseErrorInfo } from './dialect-adapter.ts';

/**
 * Thrown by an adapter's executeScript: where in the file the database
 * stopped, so the engine can name file, line and statement.
 */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
  constructor(
    readonly info: DatabaseErrorInfo,
    readonly location: { line?: number; column?: number; statement?: string },
    options: { cause: unknown },
  ) {
    super(info.message, options);
  }
}

/** 1-based line and column of a 0-based character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
