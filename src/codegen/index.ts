/** Deterministic type generation: what the CLI's `codegen` command and CI use. */
export { type AutoCodegenResult, runAutoCodegen } from './auto-codegen.ts';
export { checkGeneratedTypes, type TypesCheck } from './check-generated-types.ts';
export { CodegenError } from './codegen-error.ts';
export type { CodegenLog } from './codegen-log.ts';
export { compareDialectTypes, type ParityDifference, type ParityReport } from './dialect-parity.ts';
export { migrationsFingerprint } from './fingerprint.ts';
export {
  type CodegenOptions,
  type GeneratedTypesFile,
  generateTypesFromLive,
  generateTypesFromMigrations,
  writeGeneratedTypes,
} from './generate-types.ts';
