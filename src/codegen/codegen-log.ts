/** Where codegen reports progress: the CLI reporter, or a test's collector. */
export interface CodegenLog {
  log(line: string): void;
  warn(line: string): void;
}

export const SILENT_LOG: CodegenLog = { log: () => undefined, warn: () => undefined };
