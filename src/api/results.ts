/**
 * What the facade's operations return: plain, structured data (JSON-safe
 * except for Date fields in status), so an embedding app and the CLI's
 * renderer read the same thing.
 */

import type { DriftReport } from '../engine/drift.ts';
import type { ImportTool } from '../engine/history-import.ts';
import type { RunResult as EngineRunResult, PlannedStep, StatusReport } from '../engine/migrator.ts';
import type { PlannedRepeatable } from '../engine/repeatable-types.ts';
import type { Direction, MigrationResult } from '../engine/types.ts';
import type { VerifyReport } from '../engine/verify.ts';
import type { LintReport } from '../lint/lint-migrations.ts';

/**
 * One step that ran (or was skipped because another process ran it first).
 * Named StepResult, not MigrationResult: Kysely's MigrationResult has another shape.
 */
export type StepResult = MigrationResult;

/** What latest/up/down/to/redo did: the direction and one StepResult per step. */
export type RunResult = EngineRunResult;

export type { PlannedStep, StatusReport };

/** A dry run: the steps an operation would run, with the SQL each sends. Nothing was changed. */
export interface MigrationPlan {
  readonly direction: Direction;
  readonly steps: readonly PlannedStep[];
  /** The repeatable migrations (R__*) it would apply after the steps, with their SQL. */
  readonly repeatables: readonly PlannedRepeatable[];
  /** The database it was planned against, safe to print. */
  readonly database: string;
}

/** A planned step as returned by the free functions' `dryRun`: a StepResult that also carries its SQL. */
export interface PlannedStepResult extends StepResult, Omit<PlannedStep, 'direction'> {
  readonly status: 'planned';
}

/** Which operation `plan()` dry-runs. */
export type PlanRequest =
  | { readonly command: 'latest' }
  | { readonly command: 'up'; readonly steps?: number }
  | { readonly command: 'down'; readonly steps?: number }
  | { readonly command: 'to'; readonly version: number }
  | { readonly command: 'redo' };

export interface ForceResult {
  readonly version: number;
  /** True: now recorded as applied. False: its row was removed. */
  readonly applied: boolean;
}

export interface RepairResult {
  /** Versions whose checksum was updated to the file's. */
  readonly updated: number[];
  /** Versions whose row was dropped because the file is gone. */
  readonly forgotten: number[];
}

/** What a baseline or a history import recorded (or, in a dry run, would record). */
export interface BaselineResult {
  readonly database: string;
  readonly dryRun: boolean;
  /** null for a plain baseline. */
  readonly from: ImportTool | null;
  /** Newest version recorded (the baseline version, or the newest the other tool knew). */
  readonly version: number;
  /** Versions recorded as applied without running them. */
  readonly baselined: number[];
  /** A version recorded as dirty (golang-migrate's dirty flag); resolve with force. */
  readonly dirty: number | null;
  /** golang-migrate's table renamed so ours can take its name: `from → to`. */
  readonly renamedTable: string | null;
}

export interface DriftResult extends DriftReport {
  readonly database: string;
  readonly drift: boolean;
}

export interface VerifyResult extends VerifyReport {
  /** The scratch database's dialect. */
  readonly dialect: string;
  readonly ok: boolean;
}

export interface LintResult extends LintReport {
  /** Which migrations were linted, in words. */
  readonly scope: string;
}

/** Where the migrator works, and the driver's policies the CLI acts on. */
export interface DatabaseInfo {
  /** Safe to print (no password). */
  readonly label: string;
  /** "PostgreSQL", "SQLite". */
  readonly displayName: string;
  /** down/to/redo ask before running (the driver's policy). */
  readonly confirmDestructive: boolean;
}
