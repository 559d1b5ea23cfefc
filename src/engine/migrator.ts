import type { AnyKysely } from './any-kysely.ts';
import { describeRunner } from './applied-by.ts';
import { compileStatements } from './compile-migrations.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import {
  ConflictingMigrationError,
  ForceRefusedError,
  HistoryChangedError,
  MigrationFileError,
  oneLine,
  PoolerRefusedError,
  UnknownVersionError,
} from './errors.ts';
import { type InvalidIndex, readInvalidIndexes } from './invalid-index.ts';
import {
  afterStep,
  analyzeHistory,
  assertDownsExist,
  assertNothingAhead,
  assertRunnable,
  describeChanges,
  type History,
  planDown,
  planUp,
  resolveTarget,
} from './plan.ts';
import { lineAndColumn } from './script-error.ts';
import { DEFAULT_LOCK_RETRIES, type MigrationEvent, type RunStep, StepRunner } from './step-runner.ts';
import { historyDigest, type PlannedRow, TrackingStore } from './tracking-store.ts';
import type {
  Direction,
  MigrationResult,
  MigrationSource,
  StatusEntry,
  TrackingRow,
  TrackingTable,
} from './types.ts';

export { DEFAULT_LOCK_RETRIES, type MigrationEvent };
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
export const DEFAULT_STATEMENT_LOCK_TIMEOUT_MS = 5_000;
/** One hour: long index builds fit; a step that never settles does not hold its locks forever. */
export const DEFAULT_STEP_TIMEOUT_MS = 3_600_000;

export interface MigratorOptions {
  db: AnyKysely;
  adapter: DialectAdapter;
  /** The migrations, or how to load them (called once per command). */
  sources: readonly MigrationSource[] | (() => Promise<readonly MigrationSource[]>);
  table?: Partial<TrackingTable>;
  lockTimeoutMs?: number;
  statementLockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Upper bound for one step, in ms (0 = none; default DEFAULT_STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
  /** Retries of a migration that hit lock_timeout, with exponential backoff. */
  lockRetries?: number;
  allowOutOfOrder?: boolean;
  /** Plan and compile, but change nothing. */
  dryRun?: boolean;
  /** Progress callback: a step starts / ends. */
  onEvent?: (event: MigrationEvent) => void;
  appliedBy?: string;
}

/** A dry run's step: what would run and the SQL it would send. */
export interface PlannedStep {
  version: number;
  name: string;
  direction: Direction;
  transactional: boolean;
  file: string;
  statements: string[];
}

export interface RunResult {
  direction: Direction;
  results: MigrationResult[];
  /** Only for dry runs. */
  planned?: PlannedStep[];
}

export interface StatusReport {
  entries: StatusEntry[];
  /** Newest applied version, 0 when none. */
  currentVersion: number;
  pending: number;
  /** A step did not finish and nobody is running it: a human must look. */
  dirty: boolean;
  /** A non-transactional step is running right now in another process (it holds the lock). */
  inProgress: boolean;
  /** False when the tracking table does not exist yet. */
  initialized: boolean;
  /** INVALID indexes in the tracking table's schema (a failed CREATE INDEX CONCURRENTLY): a warning. */
  invalidIndexes: InvalidIndex[];
}

interface Read {
  sources: readonly MigrationSource[];
  rows: TrackingRow[];
  history: History;
  initialized: boolean;
}

/** What a locked plan does when the history changed under it: plan again (latest/up) or stop (the rest). */
type OnChange = { replan: true } | { replan: false; command: string };

/**
 * The commands. Every state-changing one takes one path: read the history
 * (optimistically, one query, no lock), plan, then run each step under the
 * lock only if the history is still the one planned from (StepRunner's guard).
 * A no-op costs the one read.
 */
export class Migrator {
  readonly #o: MigratorOptions;
  readonly #table: TrackingTable;
  readonly #lock: LockOptions;
  readonly #store: TrackingStore;
  readonly #runner: StepRunner;

  constructor(options: MigratorOptions) {
    this.#o = options;
    this.#table = {
      schema: options.table?.schema ?? options.adapter.defaultSchema,
      name: options.table?.name ?? 'schema_migrations',
    };
    const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.#lock = {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      statementLockTimeoutMs: options.statementLockTimeoutMs ?? DEFAULT_STATEMENT_LOCK_TIMEOUT_MS,
      // No single statement may outlive the step it belongs to: the server stops it by itself.
      statementTimeoutMs: options.statementTimeoutMs || stepTimeoutMs,
      idleInTransactionTimeoutMs: stepTimeoutMs,
    };
    this.#store = new TrackingStore(this.#table, options.adapter, options.appliedBy ?? describeRunner());
    this.#runner = new StepRunner({
      db: options.db,
      adapter: options.adapter,
      store: this.#store,
      lock: this.#lock,
      lockRetries: options.lockRetries ?? DEFAULT_LOCK_RETRIES,
      stepTimeoutMs,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  }

  get table(): TrackingTable {
    return this.#table;
  }

  /** The tracking store this migrator writes through (the history import uses it too). */
  get store(): TrackingStore {
    return this.#store;
  }

  /** The tracking rows as they are now (one query); null before the first migration. */
  trackingRows(): Promise<TrackingRow[] | null> {
    return this.#store.read(this.#o.db);
  }

  /** Applies every pending migration. With nothing to do it costs one query. */
  async latest(): Promise<RunResult> {
    return this.up();
  }

  /**
   * Applies pending migrations: all, `steps` of them, or up to `target`. When
   * another process migrated meanwhile, plans again from what it did.
   */
  async up(options: { steps?: number; target?: number } = {}): Promise<RunResult> {
    return this.#up(options, { replan: true });
  }

  async #up(options: { steps?: number; target?: number }, onChange: OnChange): Promise<RunResult> {
    const results: MigrationResult[] = [];
    let planned: MigrationSource[] = [];
    for (;;) {
      const read = await this.#readRunnable(planned);
      if (read.history.ahead.length && results.length === 0 && planned.length === 0)
        this.#o.onEvent?.({
          type: 'ahead',
          migrations: read.history.ahead.map(({ version, name }) => ({ version, name })),
        });
      // Steps of the previous plan that another process did meanwhile.
      for (const source of planned.filter((s) =>
        read.history.applied.some((a) => a.row.version === s.version),
      )) {
        if (results.some((r) => r.version === source.version)) continue;
        const result = skipped(source, 'up');
        results.push(result);
        this.#o.onEvent?.({ type: 'done', result });
      }
      const left = options.steps === undefined ? undefined : options.steps - results.length;
      if (left !== undefined && left <= 0) return { direction: 'up', results };
      planned = planUp(read.history, {
        ...(options.target !== undefined ? { target: options.target } : {}),
        ...(left !== undefined ? { steps: left } : {}),
        allowOutOfOrder: this.#o.allowOutOfOrder ?? false,
      });
      if (planned.length === 0) return { direction: 'up', results };
      const steps = await this.#load(planned, 'up');
      if (this.#o.dryRun) return { direction: 'up', results, planned: await this.#dryRun(steps) };
      if (!read.initialized)
        await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
      const run = await this.#runSteps(steps, read.rows, onChange);
      results.push(...run.results);
      if (!run.changed) return { direction: 'up', results };
      planned = planned.filter((s) => !run.results.some((r) => r.version === s.version));
    }
  }

  /** Rolls back `steps` migrations (default 1), newest first. */
  async down(options: { steps?: number } = {}): Promise<RunResult> {
    const read = await this.#readRunnable();
    assertNothingAhead(read.history);
    return this.#runDown(read, planDown(read.history, options), 'down');
  }

  /** Moves to exactly `version`: up when it is ahead, down when behind (0 = everything down). */
  async to(version: number): Promise<RunResult> {
    const read = await this.#readRunnable();
    // 0 means "everything down", so a migration numbered 0 is rolled back (and never applied) too.
    const target = resolveTarget(read.history, read.sources, version) === 0 ? -1 : version;
    if (read.history.newestApplied !== undefined && target < read.history.newestApplied) {
      assertNothingAhead(read.history);
      return this.#runDown(read, planDown(read.history, { target }), `to ${version}`);
    }
    return this.#up({ target }, { replan: false, command: `to ${version}` });
  }

  /** Rolls back the newest migration and applies it again, as one plan. */
  async redo(): Promise<RunResult> {
    const read = await this.#readRunnable();
    assertNothingAhead(read.history);
    const [source] = planDown(read.history, { steps: 1 });
    if (!source) return { direction: 'down', results: [] };
    await assertDownsExist([source]);
    const [down] = await this.#load([source], 'down');
    const up = { ...down!, direction: 'up' as const };
    if (this.#o.dryRun) return { direction: 'down', results: [], planned: await this.#dryRun([down!, up]) };
    const run = await this.#runSteps([down!, up], read.rows, { replan: false, command: 'redo' });
    return { direction: 'up', results: run.results };
  }

  /** How each migration stands. Never refuses: it is how you find out why others do. */
  async status(): Promise<StatusReport> {
    const { sources, history, initialized } = await this.#read();
    // A running row is dirty only when nobody holds the lock: otherwise its step is still going.
    const inProgress =
      history.dirty.length > 0 && (await this.#o.adapter.isLockHeld(this.#o.db, this.#table));
    const entries = inProgress
      ? history.status.map((e) => (e.state === 'dirty' ? { ...e, state: 'in-progress' as const } : e))
      : history.status;
    return {
      // An applied migration for other dialects only was recorded here, never run: say so (dialect-skip.ts).
      entries: entries.map((entry) => {
        const source = sources.find((s) => s.version === entry.version);
        const note = entry.state === 'applied' && source ? this.#runner.skipNote(source) : undefined;
        return note ? { ...entry, note } : entry;
      }),
      currentVersion: history.newestApplied ?? 0,
      pending: history.pending.length,
      dirty: history.dirty.length > 0 && !inProgress,
      inProgress,
      initialized,
      invalidIndexes: await readInvalidIndexes(this.#o.adapter, this.#o.db, [this.#table.schema]),
    };
  }

  /**
   * After a human fixed a dirty state: marks `version` applied (it was
   * finished by hand) or, with notApplied, removes its row (it was undone).
   * Refuses while the step is still running elsewhere, and for a row that is
   * applied cleanly (nothing to fix) unless `override`.
   */
  async force(
    version: number,
    options: { notApplied?: boolean; override?: boolean } = {},
  ): Promise<TrackingRow | undefined> {
    const read = await this.#read();
    const source = read.sources.find((s) => s.version === version);
    const row = read.rows.find((r) => r.version === version);
    if (!source && !row) {
      throw new UnknownVersionError(String(version), 'is neither a migration file nor a tracking row');
    }
    this.#assertForceable(version, row, source, options);
    if (row && row.state !== 'applied' && (await this.#o.adapter.isLockHeld(this.#o.db, this.#table))) {
      throw new ForceRefusedError(
        version,
        'in-progress',
        `migration ${version} is still running in another process (it holds the migration lock), so it is not dirty; wait for it to finish, then check \`migrate status\``,
      );
    }
    if (!read.initialized)
      await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
    const name = source?.name ?? row?.name ?? '';
    const checksum = source?.checksum ?? row?.checksum ?? '';
    await this.#locked('force', read.rows, async (trx, store) => {
      if (options.notApplied) await store.run(trx, store.remove(trx, version));
      else if (row) await store.run(trx, store.setState(trx, version, { state: 'applied', error: null }));
      else
        await store.run(
          trx,
          store.insert(trx, { version, name, checksum, state: 'applied', executionMs: 0 }),
        );
      await store.run(
        trx,
        store.appendHistory(trx, {
          version,
          name,
          action: options.notApplied ? 'force-not-applied' : 'force',
          checksum: source?.checksum ?? null,
        }),
      );
    });
    return (await this.trackingRows())?.find((r) => r.version === version && r.state === 'applied');
  }

  #assertForceable(
    version: number,
    row: TrackingRow | undefined,
    source: MigrationSource | undefined,
    options: { notApplied?: boolean; override?: boolean },
  ): void {
    if (options.override || !row || row.state !== 'applied') return;
    if (source && source.checksum !== row.checksum) return;
    throw new ForceRefusedError(
      version,
      'applied',
      `migration ${version}_${row.name} is applied and finished cleanly, so there is nothing to force${options.notApplied ? ' (forgetting it would leave its changes untracked)' : ''}; use \`migrate down\` to undo it, or pass --override if you are sure`,
    );
  }

  /** Accepts the current files' checksums; with forgetMissing, drops rows whose file is gone. */
  async repair(
    options: { forgetMissing?: boolean } = {},
  ): Promise<{ updated: number[]; forgotten: number[] }> {
    const { history, rows } = await this.#read();
    const updated = history.changed.map((c) => c.version);
    const forgotten = options.forgetMissing ? history.missing : [];
    if (!updated.length && !forgotten.length) return { updated, forgotten: [] };
    await this.#locked('repair', rows, async (trx, store) => {
      for (const change of history.changed) {
        await store.run(
          trx,
          store.setChecksum(trx, change.version, change.actual!),
          store.appendHistory(trx, {
            ...change,
            action: 'repair',
            checksum: change.actual,
            details: `was ${change.expected}`,
          }),
        );
      }
      for (const gone of forgotten) {
        await store.run(
          trx,
          store.remove(trx, gone.version),
          store.appendHistory(trx, {
            ...gone,
            action: 'repair-forget',
            checksum: gone.expected,
            details: 'file was deleted',
          }),
        );
      }
    });
    return { updated, forgotten: forgotten.map((m) => m.version) };
  }

  /**
   * Adopts an existing database: records every migration up to `version` as
   * applied without running it.
   */
  async baseline(version: number, details = 'baseline'): Promise<number[]> {
    const { sources, history, initialized, rows } = await this.#readRunnable();
    resolveTarget(history, sources, version);
    const toMark = history.pending.filter((s) => s.version <= version);
    if (!toMark.length) return [];
    if (this.#o.dryRun) return toMark.map((s) => s.version);
    if (!initialized)
      await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
    await this.#locked('baseline', rows, async (trx, store) => {
      for (const s of toMark) {
        const row = { version: s.version, name: s.name, checksum: s.checksum };
        await store.run(
          trx,
          store.insert(trx, { ...row, state: 'applied', executionMs: 0 }),
          store.appendHistory(trx, { ...row, action: 'baseline', executionMs: 0, details }),
        );
      }
    });
    return toMark.map((s) => s.version);
  }

  /** One locked transaction that runs only if the history is still `rows`; refuses (exit 4) otherwise. */
  async #locked(
    command: string,
    rows: readonly PlannedRow[],
    fn: (trx: AnyKysely, store: TrackingStore) => Promise<void>,
  ): Promise<void> {
    const outcome = await this.#o.adapter.runLocked(
      this.#o.db,
      this.#table,
      this.#lock,
      this.#runner.guard(rows),
      (trx) => fn(trx, this.#store),
    );
    if (!outcome.ran) throw await this.#changed(command, rows, 0);
  }

  /**
   * Runs a plan. Not behind a transaction pooler (capabilities.sessionLock),
   * one lock is held for the whole run: migrators started together (replicas
   * migrating at start-up) wait once and then find the work done, instead of
   * racing for the lock at every step. The history is checked under that lock
   * once, and the steps run on the lock's connection without a per-step check.
   * Behind a transaction pooler nothing outlives a transaction: every step
   * takes the lock in its own transaction and checks the history there.
   */
  async #runSteps(
    steps: RunStep[],
    rows: readonly PlannedRow[],
    onChange: OnChange,
  ): Promise<{ results: MigrationResult[]; changed: boolean }> {
    if (!this.#o.adapter.capabilities.sessionLock) return this.#runEachLocked(steps, rows, onChange);
    const expected = historyDigest(rows);
    this.#o.onEvent?.({ type: 'lock', steps: steps.length });
    const changed = async () => {
      if (onChange.replan) return { results: [], changed: true };
      throw await this.#changed(onChange.command, rows, 0);
    };
    const outcome = await this.#o.adapter.withRunLock(
      this.#o.db,
      this.#table,
      this.#lock,
      // While waiting: once the history moved (the holder did our steps), stop waiting and plan again.
      async (conn) => (await this.#store.digest(conn)) === expected,
      async (conn) =>
        (await this.#store.digest(conn)) === expected
          ? this.#runEachLocked(steps, rows, onChange, conn)
          : undefined,
    );
    // A changed history is reported after the lock is released: reading it again needs a
    // connection, and SQLite has only the one the lock pinned.
    return outcome.ran && outcome.value ? outcome.value : changed();
  }

  /**
   * Runs steps in order. Without `held`, each step checks under its own lock
   * the rows the previous ones left; with `held` (the connection holding the
   * run's lock) the check was made once, before the first step.
   */
  async #runEachLocked(
    steps: RunStep[],
    rows: readonly PlannedRow[],
    onChange: OnChange,
    held?: AnyKysely,
  ): Promise<{ results: MigrationResult[]; changed: boolean }> {
    const results: MigrationResult[] = [];
    let expected: readonly PlannedRow[] = rows;
    for (const step of steps) {
      const outcome = await this.#runner.run(step, expected, held);
      if (outcome.kind === 'changed') {
        if (onChange.replan) return { results, changed: true };
        throw await this.#changed(onChange.command, expected, results.length);
      }
      results.push(outcome.result);
      if (!held) expected = afterStep(expected, step);
    }
    return { results, changed: false };
  }

  async #changed(command: string, expected: readonly PlannedRow[], completed: number): Promise<Error> {
    const found = (await this.#store.read(this.#o.db)) ?? [];
    return new HistoryChangedError(command, describeChanges(expected, found), completed);
  }

  async #runDown(read: Read, planned: MigrationSource[], command: string): Promise<RunResult> {
    if (planned.length === 0) return { direction: 'down', results: [] };
    await assertDownsExist(planned);
    const steps = await this.#load(planned, 'down');
    if (this.#o.dryRun) return { direction: 'down', results: [], planned: await this.#dryRun(steps) };
    const run = await this.#runSteps(steps, read.rows, { replan: false, command });
    return { direction: 'down', results: run.results };
  }

  /** Files first (a bad file is reported before the database is touched), then the rows: one query. */
  async #read(): Promise<Read> {
    const sources =
      typeof this.#o.sources === 'function'
        ? await this.#o.sources()
        : await Promise.resolve(this.#o.sources);
    const rows = await this.#store.read(this.#o.db);
    return {
      sources,
      rows: rows ?? [],
      history: analyzeHistory(sources, rows ?? []),
      initialized: rows !== null,
    };
  }

  /**
   * #read, then refuses a dirty or changed history. A 'running'/'reverting' row
   * can also be another process's non-transactional step in progress (several
   * app instances starting at once): that process holds the session lock for
   * the whole step, so wait for the lock and read again, on the same connection,
   * before calling the database dirty. `planned`: the steps of a previous plan,
   * checked first against rows another process wrote for the same versions.
   */
  async #readRunnable(planned: readonly MigrationSource[] = []): Promise<Read> {
    const read = await this.#read();
    if (read.history.dirty.length && !this.#o.dryRun && this.#o.adapter.capabilities.sessionLock) {
      const rows = await this.#o.adapter.withSessionLock(this.#o.db, this.#table, this.#lock, (conn) =>
        this.#store.read(conn),
      );
      read.rows = rows ?? [];
      read.history = analyzeHistory(read.sources, read.rows);
    }
    for (const source of planned) {
      const row = read.rows.find((r) => r.version === source.version);
      if (row && (row.checksum !== source.checksum || row.name !== source.name)) {
        throw new ConflictingMigrationError(
          source.version,
          { name: source.name, checksum: source.checksum, file: source.files.join(', ') || source.id },
          { name: row.name, checksum: row.checksum, appliedBy: row.appliedBy },
        );
      }
    }
    assertRunnable(read.history);
    return read;
  }

  /** Imports every module (validating it) before the first step runs; refuses what a pooler cannot run. */
  async #load(planned: readonly MigrationSource[], direction: Direction): Promise<RunStep[]> {
    const steps = await Promise.all(
      planned.map(async (source) => ({ source, migration: await source.load(), direction })),
    );
    this.#assertNoTransactionControl(steps);
    if (!this.#o.adapter.capabilities.sessionLock) {
      const unsafe = steps.filter(
        (s) =>
          this.#runner.skipNote(s.source) === undefined &&
          !this.#runner.isTransactional(s.migration, direction),
      );
      if (unsafe.length) {
        throw new PoolerRefusedError(
          unsafe.map((s) => s.source.version),
          this.#o.adapter.sessionLockUnavailableReason ??
            'the connection goes through a transaction-mode pooler',
        );
      }
    }
    return steps;
  }

  /**
   * A COMMIT (or BEGIN, ROLLBACK, SAVEPOINT, …) inside a step that runs in the
   * engine's transaction would commit part of it without its tracking row: the
   * whole plan is refused before anything runs.
   */
  #assertNoTransactionControl(steps: readonly RunStep[]): void {
    for (const { source, migration, direction } of steps) {
      const step = direction === 'up' ? migration.up : migration.down;
      if (step?.kind !== 'sql' || !this.#runner.isTransactional(migration, direction)) continue;
      // Not run on this dialect, so not read with its splitter either (a PostgreSQL `$$ … end; $$` body).
      if (this.#runner.skipNote(source) !== undefined) continue;
      const found = this.#o.adapter.findTransactionControl(step.sql);
      if (!found) continue;
      const { line } = lineAndColumn(step.sql, found.offset);
      throw new MigrationFileError(
        `${step.file}:${line}`,
        `\`${oneLine(found.sql).slice(0, 40)}\` controls the transaction, but migration ${source.version} runs inside the engine's transaction (committed together with its tracking row)`,
        'remove it (a whole-file BEGIN … COMMIT wrapper is fine), or make the file non-transactional with a first line `-- migrate:no-transaction`',
      );
    }
  }

  async #dryRun(steps: readonly RunStep[]): Promise<PlannedStep[]> {
    const planned: PlannedStep[] = [];
    for (const { source, migration, direction } of steps) {
      const step = (direction === 'up' ? migration.up : migration.down)!;
      // Recorded, not run, on this dialect (dialect-skip.ts): no statements, in the recording transaction.
      const skip = this.#runner.skipNote(source) !== undefined;
      planned.push({
        version: source.version,
        name: source.name,
        direction,
        transactional: skip || this.#runner.isTransactional(migration, direction),
        file: step.file,
        statements: skip ? [] : (await compileStatements(step, this.#o.db)).map((s) => s.trim()),
      });
    }
    return planned;
  }
}

function skipped(source: MigrationSource, direction: Direction): MigrationResult {
  return { version: source.version, name: source.name, direction, status: 'skipped', ms: 0 };
}
