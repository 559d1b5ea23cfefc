import pc from 'picocolors';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';
import {
  dropInvalidIndexSql,
  type InvalidIndex,
  invalidIndexLabel,
  type MigrationEvent,
  type StepResult as MigrationResult,
  type PlannedRepeatable,
  type PlannedStep,
  type RepeatableResult,
  type RunResult,
  type StatusReport,
} from '../index.ts';
import { alignColumns } from './align-columns.ts';
import { type CliIO, safe } from './io.ts';

/**
 * Turns engine results into output. Human mode: one line per migration as it
 * happens, a spinner for long steps on a terminal, a summary. JSON mode: one
 * JSON document on stdout, human lines on stderr.
 */
export class Reporter {
  #spinner: Spinner | undefined;
  readonly #io: CliIO;
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours only for a terminal (or FORCE_COLOR), never with NO_COLOR: output stays greppable in CI. */
  readonly colors: Colors;

  constructor(io: CliIO, options: { json?: boolean; verbose?: boolean }) {
    this.#io = io;
    this.json = options.json ?? false;
    this.verbose = options.verbose ?? false;
    this.colors = colorsFor(io);
  }

  /** Human text: stdout normally, stderr in --json mode so stdout stays parseable. */
  info(line: string): void {
    this.#flushSkipped();
    this.#line(line);
  }

  #line(line: string): void {
    (this.json ? this.#io.stderr : this.#io.stdout)(`${line}\n`);
  }

  warn(line: string): void {
    this.#flushSkipped();
    this.#io.stderr(`${this.colors.yellow('warning:')} ${line}\n`);
  }

  error(line: string): void {
    this.#stopSpinner();
    this.#flushSkipped();
    this.#io.stderr(`${this.colors.red('error:')} ${line}\n`);
  }

  /** The JSON document of a --json run. */
  emit(value: unknown): void {
    this.#flushSkipped();
    this.#io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Steps another process did meanwhile arrive together (a waiter's new plan finds them all at
   * once): one line for the lot instead of one per migration — a replica waiting behind another
   * that applied a thousand migrations printed a thousand lines.
   */
  readonly #skipped: MigrationResult[] = [];

  #flushSkipped(): void {
    if (!this.#skipped.length) return;
    this.#line(skippedLine(this.#skipped.splice(0), this.colors));
  }

  onEvent = (event: MigrationEvent): void => {
    if (event.type === 'done' && event.result.status === 'skipped' && !event.result.note) {
      this.#stopSpinner();
      // Out as soon as the burst ends (a microtask), whatever comes next: even an error that
      // another reporter prints.
      if (this.#skipped.push(event.result) === 1) queueMicrotask(() => this.#flushSkipped());
      return;
    }
    this.#flushSkipped();
    if (event.type === 'start') {
      if (this.#io.isTTY && !this.json) {
        const arrow = event.direction === 'up' ? 'applying' : 'reverting';
        this.#spinner = yoctoSpinner({ text: `${arrow} ${label(event)}`, stream: process.stderr }).start();
      }
      return;
    }
    if (event.type === 'ahead') {
      this.#stopSpinner();
      this.warn(aheadWarning(event.migrations));
      return;
    }
    if (event.type === 'retry') {
      this.#stopSpinner();
      this.warn(`migration ${event.version} hit lock_timeout; retry ${event.attempt} in ${event.delayMs} ms`);
      return;
    }
    if (event.type === 'lock') return;
    this.#stopSpinner();
    if (event.type === 'repeatable') this.info(repeatableLine(event.result, this.colors));
    else this.info(resultLine(event.result, this.colors));
  };

  summary(run: RunResult, databaseLabel: string): void {
    if (this.json) {
      this.emit({
        direction: run.direction,
        database: safe(databaseLabel),
        results: run.results,
        ...(run.repeatables ? { repeatables: run.repeatables } : {}),
      });
      return;
    }
    const done = run.results.filter((r) => r.status !== 'skipped');
    const skipped = run.results.length - done.length;
    const total = done.reduce((sum, r) => sum + r.ms, 0);
    const repeated = (run.repeatables ?? []).filter((r) => r.status !== 'skipped');
    const andRepeatables = repeated.length
      ? ` and ${repeated.length} repeatable migration${repeated.length === 1 ? '' : 's'} (${repeated.map((r) => r.id).join(', ')})`
      : '';
    if (run.results.length === 0 && repeated.length) {
      this.info(`Applied${andRepeatables.replace(/^ and/, '')} on ${safe(databaseLabel)}.`);
      return;
    }
    if (run.results.length === 0) {
      this.info(
        run.direction === 'up'
          ? `Nothing to apply: ${safe(databaseLabel)} is up to date.`
          : `Nothing to roll back: no migration is applied on ${safe(databaseLabel)}.`,
      );
      return;
    }
    const reverted = done.filter((r) => r.status === 'reverted');
    const applied = done.filter((r) => r.status === 'applied');
    if (reverted.length && applied.length) {
      // redo: the same migrations down and up again.
      this.info(
        `Redid ${applied.length} migration${applied.length === 1 ? '' : 's'} (${applied.map(label).join(', ')}: rolled back and applied again) in ${total} ms on ${safe(databaseLabel)}.`,
      );
      return;
    }
    const verb = run.direction === 'up' ? 'Applied' : 'Rolled back';
    this.info(
      `${verb} ${done.length} migration${done.length === 1 ? '' : 's'}${andRepeatables} in ${total} ms on ${safe(databaseLabel)}${skipped ? ` (${skipped} already done by another process)` : ''}.`,
    );
  }

  plan(planned: PlannedStep[], databaseLabel: string, repeatables: PlannedRepeatable[] = []): void {
    if (this.json) {
      this.emit({
        dryRun: true,
        database: safe(databaseLabel),
        steps: planned,
        ...(repeatables.length ? { repeatables } : {}),
      });
      return;
    }
    if (!planned.length && !repeatables.length) {
      this.info(`Dry run: nothing to do on ${safe(databaseLabel)}.`);
      return;
    }
    const count = `${planned.length} step(s)${repeatables.length ? ` and ${repeatables.length} repeatable(s)` : ''}`;
    this.info(`Dry run on ${safe(databaseLabel)}: ${count}, nothing will be changed.`);
    for (const step of planned) {
      const tx = step.transactional ? 'in a transaction' : this.colors.yellow('outside a transaction');
      this.info(
        `\n${step.direction === 'up' ? '↑' : '↓'} ${step.version}_${step.name} (${step.file}, ${tx})`,
      );
      for (const statement of step.statements)
        this.info(indent(statement.trim().endsWith(';') ? statement.trim() : `${statement.trim()};`));
    }
    for (const r of repeatables) {
      this.info(
        `\n↻ ${r.id} (${r.file}, ${r.reason === 'pending' ? 'first time' : 'changed: applied again'}, in a transaction)`,
      );
      for (const statement of r.statements)
        this.info(indent(statement.trim().endsWith(';') ? statement.trim() : `${statement.trim()};`));
    }
  }

  status(report: StatusReport, databaseLabel: string): void {
    if (this.json) {
      this.emit({ database: safe(databaseLabel), ...report });
      return;
    }
    for (const index of report.invalidIndexes ?? []) this.warn(invalidIndexWarning(index));
    if (!report.entries.length && !report.repeatables.length) {
      this.info(`No migrations found and none applied (${safe(databaseLabel)}).`);
      return;
    }
    const rows: string[][] = [['version', 'name', 'state', 'applied_at', 'ms']];
    for (const e of report.entries) {
      rows.push([
        String(e.version),
        e.name,
        colorState(e.state, this.colors),
        e.appliedAt ? timestamp(e.appliedAt) : '',
        e.executionMs === null ? '' : String(e.executionMs),
      ]);
    }
    // Repeatables after the versioned rows: version column `R`, as in their file names.
    for (const r of report.repeatables) {
      rows.push([
        'R',
        r.id.replace(/^R__/, ''),
        colorState(r.state, this.colors),
        r.appliedAt ? timestamp(r.appliedAt) : '',
        r.executionMs === null ? '' : String(r.executionMs),
      ]);
    }
    this.info(alignColumns(rows));
    const notes = report.entries.filter((e) => e.note);
    for (const e of notes) this.info(`${e.version}_${e.name}: ${e.note}`);
    for (const r of report.repeatables.filter((x) => x.note)) this.info(`${r.id}: ${r.note}`);
    const problems = report.entries.filter(
      (e) => !['applied', 'pending', 'ahead', 'in-progress'].includes(e.state),
    );
    const repeatablesDue = report.repeatables.filter((r) => r.state === 'pending' || r.state === 'outdated');
    this.info(
      `${safe(databaseLabel)}: version ${report.currentVersion}, ${report.pending} pending${repeatablesDue.length ? `, ${repeatablesDue.length} repeatable(s) to apply` : ''}${report.dirty ? this.colors.red(', DIRTY') : ''}${report.inProgress ? ', a migration is in progress in another process (not dirty: wait for it)' : ''}${problems.length ? `, ${problems.length} need attention` : ''}.`,
    );
  }

  #stopSpinner(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
  }
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * picocolors decides from process.env at import (CI=true turns colours on even
 * when piped); we decide from this run's own output and environment instead.
 */
export function colorsFor(io: Pick<CliIO, 'env' | 'isTTY'>): Colors {
  const force = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0';
  return pc.createColors(!('NO_COLOR' in io.env) && (force || io.isTTY));
}

/** An INVALID index `status` found, with the statement that removes it. */
function invalidIndexWarning(index: InvalidIndex): string {
  return `INVALID index ${invalidIndexLabel(index)} on ${index.table} (left by a failed or cancelled CREATE INDEX CONCURRENTLY; PostgreSQL maintains it but never uses it): drop it with \`${dropInvalidIndexSql(index)}\`, then run the migration that builds it again`;
}

/** The one wording of the rolling-deploy warning, for the CLI and the app's start-up. */
export function aheadWarning(migrations: { version: number; name: string }[]): string {
  return `the database has migration${migrations.length > 1 ? 's' : ''} ${migrations.map(label).join(', ')} newer than this folder (a newer release applied ${migrations.length > 1 ? 'them' : 'it'}); continuing — expected during a rolling deploy`;
}

function label(m: { version: number; name: string }): string {
  return `${m.version}_${m.name}`;
}

/** `  = skipped  1_a, 2_b (done by another process)`; more than three: the first … the last (N migrations). */
export function skippedLine(results: readonly MigrationResult[], c: Colors): string {
  const first = results[0];
  const last = results.at(-1);
  const which =
    results.length <= 3 || !first || !last
      ? results.map(label).join(', ')
      : `${label(first)} … ${label(last)} (${results.length} migrations)`;
  return `  ${c.dim('= skipped ')} ${which}${c.dim(' (done by another process)')}`;
}

export function resultLine(r: MigrationResult, c: Colors): string {
  const mark =
    r.status === 'applied'
      ? c.green('↑ applied ')
      : r.status === 'reverted'
        ? c.yellow('↓ reverted')
        : c.dim('= skipped ');
  if (r.note) return `  ${mark} ${label(r)} ${c.dim(`(${r.note})`)}`;
  return `  ${mark} ${label(r)}${r.status === 'skipped' ? c.dim(' (done by another process)') : ` ${c.dim(`${r.ms} ms`)}`}`;
}

/** `  ↻ R__active_users applied again 3 ms`: a repeatable, marked apart from the versioned steps. */
export function repeatableLine(r: RepeatableResult, c: Colors): string {
  if (r.status === 'skipped') return `  ${c.dim('-')} ${r.id}${c.dim(' (done by another process)')}`;
  const what = r.status === 'reapplied' ? ' (changed: applied again)' : '';
  return `  ${c.green('↻')} ${r.id}${what}${r.note ? ` ${c.dim(`(${r.note})`)}` : ''} ${c.dim(`${r.ms} ms`)}`;
}

function colorState(state: string, c: Colors): string {
  switch (state) {
    case 'applied':
      return c.green(state);
    case 'pending':
    case 'in-progress':
      return c.cyan(state);
    case 'ahead':
    case 'outdated':
      return c.yellow(state);
    default:
      return c.red(state);
  }
}

function timestamp(at: Date): string {
  return at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
