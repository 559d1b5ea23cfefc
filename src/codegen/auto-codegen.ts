import type { ResolvedConfig } from '../config/load-config.ts';

export interface CodegenLog {
  log(line: string): void;
  warn(line: string): void;
}

/** Placeholder until the codegen module lands: regenerates generated/db.ts when the migrations changed. */
export async function runAutoCodegen(_config: ResolvedConfig, _log: CodegenLog): Promise<void> {}
