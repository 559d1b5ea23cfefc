import { type CompiledQuery, sql } from 'kysely';
import type { AnyKysely } from './any-kysely.ts';
import { describeRunner } from './applied-by.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import {
  DirtyDatabaseError,
  MigrationFailedError,
  MigrationFileError,
  oneLine,
  PoolerRefusedError,
  StepTimeoutError,
  TransactionEndedError,
  UnknownVersionError,
} from './errors.ts';
import { guardProcessExit } from './exit-guard.ts';
import { forbidNestedTransactions } from './forbid-nested-transactions.ts';
import {
  analyzeHistory,
  assertDownsExist,
  assertNothingAhead,
  assertRunnable,
  type History,
  planDown,
  planUp,
  resolveTarget,
} from './plan.ts';
import { createRecordingKysely } from './recording-kysely.ts';
import { lineAndColumn, ScriptError } from './script-error.ts';
import { StatementRecorder } from './statement-recorder.ts';
import type {
  Direction,
  LoadedMigration,
  MigrationResult,
  MigrationSource,
  MigrationStep,
  StatusEntry,
  TrackingRow,
  TrackingTable,
} from './types.ts';

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
export const DEFAULT_STATEMENT_LOCK_TIMEOUT_MS = 5_000;
export const DEFAULT_LOCK_RETRIES = 3;
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

export type MigrationEvent =
  | { type: 'start'; version: number; name: string; direction: Direction }
  /** Applied migrations newer than every file (a newer release ran them): fine, but worth a warning. */
  | { type: 'ahead'; migrations: { version: number; name: string }[] }
  | { type: 'done'; result: MigrationResult }
  | { type: 'retry'; version: number; attempt: number; delayMs: number };

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
  dirty: boolean;
  /** False when the tracking table does not exist yet. */
  initialized: boolean;
}

/**
 * The engine: reads the history in one round trip, plans, and runs each step
 * under the lock with its tracking row in the same transaction.
 */
export class Migrator {
  readonly #o: MigratorOptions;
  readonly #table: TrackingTable;
  readonly #lock: LockOptions;
  readonly #appliedBy: string;
  readonly #stepTimeoutMs: number;

  constructor(options: MigratorOptions) {
    this.#o = options;
    this.#table = {
      schema: options.table?.schema ?? 'public',
      name: options.table?.name ?? 'schema_migrations',
    };
    const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.#stepTimeoutMs = stepTimeoutMs;
    this.#lock = {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      statementLockTimeoutMs: options.statementLockTimeoutMs ?? DEFAULT_STATEMENT_LOCK_TIMEOUT_MS,
      // No single statement may outlive the step it belongs to: the server stops it by itself.
      statementTimeoutMs: options.statementTimeoutMs || stepTimeoutMs,
      idleInTransactionTimeoutMs: stepTimeoutMs,
    };
    this.#appliedBy = options.appliedBy ?? describeRunner();
  }

  get table(): TrackingTable {
    return this.#table;
  }

  /** Applies every pending migration. With nothing to do it costs one query. */
  async latest(): Promise<RunResult> {
    return this.up();
  }

  /** Applies pending migrations: all, `steps` of them, or up to `target`. */
  async up(options: { steps?: number; target?: number } = {}): Promise<RunResult> {
    const { history, initialized } = await this.#readRunnable();
    if (history.ahead.length)
      this.#o.onEvent?.({
        type: 'ahead',
        migrations: history.ahead.map(({ version, name }) => ({ version, name })),
      });
    const steps = planUp(history, { ...options, allowOutOfOrder: this.#o.allowOutOfOrder ?? false });
    if (steps.length === 0) return { direction: 'up', results: [] };
    const loaded = await loadAll(steps);
    this.#assertPoolerSafe(steps, loaded, 'up');
    this.#assertNoTransactionControl(steps, loaded, 'up');
    if (this.#o.dryRun)
      return { direction: 'up', results: [], planned: await this.#plan(steps, loaded, 'up') };
    if (!initialized)
      await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
    return { direction: 'up', results: await this.#runAll(steps, loaded, 'up') };
  }

  /** Rolls back `steps` migrations (default 1), newest first. */
  async down(options: { steps?: number } = {}): Promise<RunResult> {
    const { history } = await this.#readRunnable();
    assertNothingAhead(history);
    return this.#runDown(planDown(history, options));
  }

  /** Moves to exactly `version`: up when it is ahead, down when behind (0 = everything down). */
  async to(version: number): Promise<RunResult> {
    const { sources, history } = await this.#readRunnable();
    // 0 means "everything down", so a migration numbered 0 is rolled back (and never applied) too.
    const target = resolveTarget(history, sources, version) === 0 ? -1 : version;
    if (history.newestApplied !== undefined && target < history.newestApplied) {
      assertNothingAhead(history);
      return this.#runDown(planDown(history, { target }));
    }
    return this.up({ target });
  }

  /** Rolls back the newest migration and applies it again. */
  async redo(): Promise<RunResult> {
    const down = await this.down({ steps: 1 });
    if (this.#o.dryRun || down.results.length === 0) return down;
    const up = await this.up({ steps: 1 });
    return { direction: 'up', results: [...down.results, ...up.results] };
  }

  /** How each migration stands. Never refuses: it is how you find out why others do. */
  async status(): Promise<StatusReport> {
    const { history, initialized } = await this.#read();
    return {
      entries: history.status,
      currentVersion: history.newestApplied ?? 0,
      pending: history.pending.length,
      dirty: history.dirty.length > 0,
      initialized,
    };
  }

  /**
   * After a human fixed a dirty state: marks `version` applied (it was
   * finished by hand) or, with notApplied, removes its row (it was undone).
   */
  async force(version: number, options: { notApplied?: boolean } = {}): Promise<TrackingRow | undefined> {
    const { sources, history, initialized } = await this.#read();
    const source = sources.find((s) => s.version === version);
    const row =
      history.dirty.find((r) => r.version === version) ??
      history.applied.find((a) => a.row.version === version)?.row;
    if (!source && !row) {
      throw new UnknownVersionError(String(version), 'is neither a migration file nor a tracking row');
    }
    if (!initialized)
      await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
    const name = source?.name ?? row?.name ?? '';
    await this.#o.adapter.inLockedTransaction(this.#o.db, this.#table, this.#lock, async (trx) => {
      const t = sql.raw(this.#o.adapter.qualifiedTable(this.#table));
      if (options.notApplied) {
        await sql`delete from ${t} where version = ${version}`.execute(trx);
      } else {
        const existing = await sql<{
          version: unknown;
        }>`select version from ${t} where version = ${version}`.execute(trx);
        if (existing.rows.length) {
          await sql`update ${t} set state = 'applied', error = null where version = ${version}`.execute(trx);
        } else {
          await this.#insertRow(trx, { version, name, checksum: source?.checksum ?? '' }, 'applied', 0);
        }
      }
      await this.#history(
        trx,
        version,
        name,
        options.notApplied ? 'force-not-applied' : 'force',
        source?.checksum ?? null,
        null,
        null,
      );
    });
    const after = await this.#read();
    return after.history.applied.find((a) => a.row.version === version)?.row;
  }

  /** Accepts the current files' checksums; with forgetMissing, drops rows whose file is gone. */
  async repair(
    options: { forgetMissing?: boolean } = {},
  ): Promise<{ updated: number[]; forgotten: number[] }> {
    const { history } = await this.#read();
    const updated = history.changed.map((c) => c.version);
    const forgotten = options.forgetMissing ? history.missing.map((m) => m.version) : [];
    if (!updated.length && !forgotten.length) return { updated, forgotten };
    await this.#o.adapter.inLockedTransaction(this.#o.db, this.#table, this.#lock, async (trx) => {
      const t = sql.raw(this.#o.adapter.qualifiedTable(this.#table));
      for (const change of history.changed) {
        await sql`update ${t} set checksum = ${change.actual} where version = ${change.version}`.execute(trx);
        await this.#history(
          trx,
          change.version,
          change.name,
          'repair',
          change.actual,
          null,
          `was ${change.expected}`,
        );
      }
      for (const gone of forgotten) {
        const m = history.missing.find((x) => x.version === gone)!;
        await sql`delete from ${t} where version = ${gone}`.execute(trx);
        await this.#history(trx, gone, m.name, 'repair-forget', m.expected, null, 'file was deleted');
      }
    });
    return { updated, forgotten };
  }

  /**
   * Adopts an existing database: records every migration up to `version` as
   * applied without running it.
   */
  async baseline(version: number, details = 'baseline'): Promise<number[]> {
    const { sources, history, initialized } = await this.#readRunnable();
    resolveTarget(history, sources, version);
    const toMark = history.pending.filter((s) => s.version <= version);
    if (!toMark.length) return [];
    if (this.#o.dryRun) return toMark.map((s) => s.version);
    if (!initialized)
      await this.#o.adapter.ensureTrackingTables(this.#o.db, this.#table, this.#lock.lockTimeoutMs);
    await this.#o.adapter.inLockedTransaction(this.#o.db, this.#table, this.#lock, async (trx) => {
      for (const s of toMark) {
        await this.#insertRow(trx, s, 'applied', 0);
        await this.#history(trx, s.version, s.name, 'baseline', s.checksum, 0, details);
      }
    });
    return toMark.map((s) => s.version);
  }

  /** One round trip: the tracking rows (or null), plus the files. */
  async #read(): Promise<{ sources: readonly MigrationSource[]; history: History; initialized: boolean }> {
    const sourcesPromise =
      typeof this.#o.sources === 'function' ? this.#o.sources() : Promise.resolve(this.#o.sources);
    // Files first: a bad file is reported before the database is touched.
    const sources = await sourcesPromise;
    const rows = await this.#o.adapter.readTrackingRows(this.#o.db, this.#table);
    return { sources, history: analyzeHistory(sources, rows ?? []), initialized: rows !== null };
  }

  /**
   * #read, then refuses a dirty or changed history. A 'running'/'reverting' row
   * can also be another process's non-transactional step in progress (several
   * app instances starting at once): that process holds the session lock for
   * the whole step, so wait for the lock and read again, on the same connection,
   * before calling the database dirty.
   */
  async #readRunnable(): Promise<{
    sources: readonly MigrationSource[];
    history: History;
    initialized: boolean;
  }> {
    const read = await this.#read();
    if (read.history.dirty.length && !this.#o.dryRun && this.#o.adapter.capabilities.sessionLock) {
      const rows = await this.#o.adapter.withSessionLock(this.#o.db, this.#table, this.#lock, (conn) =>
        this.#o.adapter.readTrackingRows(conn, this.#table),
      );
      read.history = analyzeHistory(read.sources, rows ?? []);
    }
    assertRunnable(read.history);
    return read;
  }

  async #runDown(steps: MigrationSource[]): Promise<RunResult> {
    if (steps.length === 0) return { direction: 'down', results: [] };
    await assertDownsExist(steps);
    const loaded = await loadAll(steps);
    this.#assertPoolerSafe(steps, loaded, 'down');
    this.#assertNoTransactionControl(steps, loaded, 'down');
    if (this.#o.dryRun)
      return { direction: 'down', results: [], planned: await this.#plan(steps, loaded, 'down') };
    return { direction: 'down', results: await this.#runAll(steps, loaded, 'down') };
  }

  #assertPoolerSafe(steps: MigrationSource[], loaded: LoadedMigration[], direction: Direction): void {
    if (this.#o.adapter.capabilities.sessionLock) return;
    const unsafe = steps.filter((_, i) => !this.#isTransactional(loaded[i]!, direction));
    if (unsafe.length) {
      throw new PoolerRefusedError(
        unsafe.map((s) => s.version),
        this.#o.adapter.sessionLockUnavailableReason ??
          'the connection goes through a transaction-mode pooler',
      );
    }
  }

  /**
   * A COMMIT (or BEGIN, ROLLBACK, SAVEPOINT, …) inside a step that runs in the
   * engine's transaction would commit part of it without its tracking row: the
   * whole plan is refused before anything runs.
   */
  #assertNoTransactionControl(
    steps: MigrationSource[],
    loaded: LoadedMigration[],
    direction: Direction,
  ): void {
    for (const [i, migration] of loaded.entries()) {
      const step = direction === 'up' ? migration.up : migration.down;
      if (step?.kind !== 'sql' || !this.#isTransactional(migration, direction)) continue;
      const found = this.#o.adapter.findTransactionControl(step.sql);
      if (!found) continue;
      const { line } = lineAndColumn(step.sql, found.offset);
      throw new MigrationFileError(
        `${step.file}:${line}`,
        `\`${oneLine(found.sql).slice(0, 40)}\` controls the transaction, but migration ${steps[i]!.version} runs inside the engine's transaction (committed together with its tracking row)`,
        'remove it (a whole-file BEGIN … COMMIT wrapper is fine), or make the file non-transactional with a first line `-- migrate:no-transaction`',
      );
    }
  }

  /** A step runs in a transaction unless its file says not to, or PostgreSQL would refuse it in one. */
  #isTransactional(loaded: LoadedMigration, direction: Direction): boolean {
    if (!loaded.transactional) return false;
    const step = direction === 'up' ? loaded.up : loaded.down;
    if (step?.kind === 'sql' && this.#o.adapter.findNonTransactionalStatement(step.sql)) return false;
    return true;
  }

  async #runAll(
    steps: MigrationSource[],
    loaded: LoadedMigration[],
    direction: Direction,
  ): Promise<MigrationResult[]> {
    const results: MigrationResult[] = [];
    for (const [i, source] of steps.entries()) {
      const migration = loaded[i]!;
      this.#o.onEvent?.({ type: 'start', version: source.version, name: source.name, direction });
      const transactional = this.#isTransactional(migration, direction);
      const step = (direction === 'up' ? migration.up : migration.down)!;
      const unguard = guardProcessExit({ ...source, file: step.file, direction, transactional });
      let result: MigrationResult;
      try {
        result = transactional
          ? await this.#runTransactional(source, migration, direction)
          : await this.#runOutsideTransaction(source, migration, direction);
      } finally {
        unguard();
      }
      results.push(result);
      this.#o.onEvent?.({ type: 'done', result });
    }
    return results;
  }

  async #runTransactional(
    source: MigrationSource,
    migration: LoadedMigration,
    direction: Direction,
  ): Promise<MigrationResult> {
    const step = (direction === 'up' ? migration.up : migration.down)!;
    const retries = this.#o.lockRetries ?? DEFAULT_LOCK_RETRIES;
    for (let attempt = 0; ; attempt++) {
      try {
        const guard = { version: source.version, expect: direction === 'up' ? 'absent' : 'applied' } as const;
        // The adapter re-checks the tracking row under the lock: another process may have done this step.
        const outcome = await this.#o.adapter.runLockedStep(
          this.#o.db,
          this.#table,
          this.#lock,
          guard,
          async (trx, finish) => {
            const started = performance.now();
            await this.#execute(trx, source, step, direction, true);
            const ms = Math.round(performance.now() - started);
            finish(
              (direction === 'up'
                ? this.#insertRowQuery(source, 'applied', ms)
                : sql`delete from ${this.#t()} where version = ${source.version}`
              ).compile(trx),
            );
            finish(
              this.#historyQuery(source.version, source.name, direction, source.checksum, ms, null).compile(
                trx,
              ),
            );
            return ms;
          },
        );
        if (outcome.ran) {
          return {
            version: source.version,
            name: source.name,
            direction,
            status: done(direction),
            ms: outcome.value,
          };
        }
        if (outcome.state === undefined || outcome.state === 'applied') return skipped(source, direction);
        throw new DirtyDatabaseError(source.version, source.name, outcome.state, null);
      } catch (error) {
        if (error instanceof TransactionEndedError)
          throw await this.#recordPartialCommit(source, step, direction, error);
        // Only a migration's own statement hitting lock_timeout is retried, never the migrator's lock wait.
        const retryable = error instanceof MigrationFailedError && this.#o.adapter.isLockTimeout(error.cause);
        if (retryable && attempt < retries) {
          const delayMs = 200 * 2 ** attempt;
          this.#o.onEvent?.({ type: 'retry', version: source.version, attempt: attempt + 1, delayMs });
          await new Promise((r) => setTimeout(r, delayMs));
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * The step ended the engine's transaction itself: part of it is committed and
   * nothing can roll that back. Record the truth — a dirty row with the reason —
   * and report it as dirty, never as rolled back.
   */
  async #recordPartialCommit(
    source: MigrationSource,
    step: MigrationStep,
    direction: Direction,
    ended: TransactionEndedError,
  ): Promise<MigrationFailedError> {
    const inner = ended.cause instanceof MigrationFailedError ? ended.cause.cause : ended.cause;
    const reason = new TransactionEndedError(inner === undefined ? {} : { cause: inner }).message;
    await this.#o.adapter.inLockedTransaction(this.#o.db, this.#table, this.#lock, async (trx) => {
      const state = await this.#rowState(trx, source.version);
      if (state === undefined)
        await this.#insertRow(trx, source, direction === 'up' ? 'running' : 'reverting', 0);
      else
        await sql`update ${this.#t()} set state = ${direction === 'up' ? 'running' : 'reverting'} where version = ${source.version}`.execute(
          trx,
        );
      await sql`update ${this.#t()} set error = ${reason} where version = ${source.version}`.execute(trx);
    });
    return new MigrationFailedError(source.version, source.name, step.file, direction, reason, {
      rolledBack: false,
      cause: ended,
    });
  }

  async #runOutsideTransaction(
    source: MigrationSource,
    migration: LoadedMigration,
    direction: Direction,
  ): Promise<MigrationResult> {
    const step = (direction === 'up' ? migration.up : migration.down)!;
    return this.#o.adapter.withSessionLock(this.#o.db, this.#table, this.#lock, async (conn) => {
      const state = await this.#rowState(conn, source.version);
      if (direction === 'up' ? state === 'applied' : state === undefined) return skipped(source, direction);
      if (state !== undefined && state !== 'applied')
        throw new DirtyDatabaseError(source.version, source.name, state, null);
      // Written before the step: if we crash now, the next run sees a dirty state.
      if (direction === 'up') await this.#insertRow(conn, source, 'running', 0);
      else
        await sql`update ${this.#t()} set state = 'reverting' where version = ${source.version}`.execute(
          conn,
        );
      const started = performance.now();
      try {
        await this.#execute(conn, source, step, direction, false);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await sql`update ${this.#t()} set error = ${message} where version = ${source.version}`
          .execute(conn)
          .catch(() => undefined);
        throw error;
      }
      const ms = Math.round(performance.now() - started);
      // The final state and its history row commit together: the crash campaign killed a run
      // between the two and left an applied migration with no history.
      await sql`begin`.execute(conn);
      try {
        if (direction === 'up') {
          await sql`update ${this.#t()} set state = 'applied', execution_ms = ${ms}, error = null where version = ${source.version}`.execute(
            conn,
          );
        } else {
          await sql`delete from ${this.#t()} where version = ${source.version}`.execute(conn);
        }
        await this.#history(
          conn,
          source.version,
          source.name,
          direction,
          source.checksum,
          ms,
          'no transaction',
        );
        await sql`commit`.execute(conn);
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
      return { version: source.version, name: source.name, direction, status: done(direction), ms };
    });
  }

  /** Runs one step; any failure becomes a MigrationFailedError naming file, line and statement. */
  async #execute(
    db: AnyKysely,
    source: MigrationSource,
    step: MigrationStep,
    direction: Direction,
    inTransaction: boolean,
  ): Promise<void> {
    if (step.kind === 'sql') {
      try {
        await this.#bounded(
          this.#o.adapter.executeScript(db, step.sql, { inTransaction }),
          source,
          direction,
        );
      } catch (error) {
        const info = error instanceof ScriptError ? error.info : this.#o.adapter.describeError(error);
        const where = error instanceof ScriptError ? error.location : {};
        throw new MigrationFailedError(source.version, source.name, step.file, direction, withHint(info), {
          ...where,
          ...(info.code ? { code: info.code } : {}),
          rolledBack: inTransaction,
          cause: error instanceof ScriptError ? error.cause : error,
        });
      }
      return;
    }
    const recorder = new StatementRecorder();
    const recorded = db.withPlugin(recorder);
    try {
      await this.#bounded(
        step.run(inTransaction ? forbidNestedTransactions(recorded, step.file) : recorded),
        source,
        direction,
      );
    } catch (error) {
      const info = this.#o.adapter.describeError(error);
      const statement = recorder.lastStatement(db);
      throw new MigrationFailedError(source.version, source.name, step.file, direction, withHint(info), {
        ...(statement ? { statement } : {}),
        ...(info.code ? { code: info.code } : {}),
        rolledBack: inTransaction,
        cause: error,
      });
    }
  }

  /**
   * A step that never settles (a TS up() awaiting a promise that never resolves)
   * would hold its locks until the process is killed, or end the process with
   * exit 13 and no word once nothing else is pending: fail it after stepTimeoutMs.
   */
  async #bounded<T>(work: Promise<T>, source: MigrationSource, direction: Direction): Promise<T> {
    const limit = this.#stepTimeoutMs;
    if (!limit) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StepTimeoutError(source.version, direction, limit)), limit);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #plan(
    steps: MigrationSource[],
    loaded: LoadedMigration[],
    direction: Direction,
  ): Promise<PlannedStep[]> {
    const planned: PlannedStep[] = [];
    for (const [i, source] of steps.entries()) {
      const migration = loaded[i]!;
      const step = (direction === 'up' ? migration.up : migration.down)!;
      let statements: string[];
      if (step.kind === 'sql') statements = [step.sql.trim()];
      else {
        const { db, queries } = createRecordingKysely(this.#o.db);
        await step.run(db);
        statements = queries.map((q: CompiledQuery) => q.sql);
      }
      planned.push({
        version: source.version,
        name: source.name,
        direction,
        transactional: this.#isTransactional(migration, direction),
        file: step.file,
        statements,
      });
    }
    return planned;
  }

  #t() {
    return sql.raw(this.#o.adapter.qualifiedTable(this.#table));
  }

  async #rowState(db: AnyKysely, version: number): Promise<TrackingRow['state'] | undefined> {
    const { rows } = await sql<{
      state: TrackingRow['state'];
    }>`select state from ${this.#t()} where version = ${version}`.execute(db);
    return rows[0]?.state;
  }

  async #insertRow(
    db: AnyKysely,
    source: Pick<MigrationSource, 'version' | 'name' | 'checksum'>,
    state: TrackingRow['state'],
    ms: number,
  ): Promise<void> {
    await this.#insertRowQuery(source, state, ms).execute(db);
  }

  #insertRowQuery(
    source: Pick<MigrationSource, 'version' | 'name' | 'checksum'>,
    state: TrackingRow['state'],
    ms: number,
  ) {
    return sql`insert into ${this.#t()} (version, name, checksum, state, execution_ms, applied_by) values (${source.version}, ${source.name}, ${source.checksum}, ${state}, ${ms}, ${this.#appliedBy})`;
  }

  async #history(
    db: AnyKysely,
    version: number,
    name: string,
    action: string,
    checksum: string | null,
    ms: number | null,
    details: string | null,
  ): Promise<void> {
    await this.#historyQuery(version, name, action, checksum, ms, details).execute(db);
  }

  #historyQuery(
    version: number,
    name: string,
    action: string,
    checksum: string | null,
    ms: number | null,
    details: string | null,
  ) {
    const h = sql.raw(this.#o.adapter.qualifiedTable(this.#table, '_history'));
    return sql`insert into ${h} (version, name, action, checksum, execution_ms, performed_by, details) values (${version}, ${name}, ${action}, ${checksum}, ${ms}, ${this.#appliedBy}, ${details})`;
  }
}

async function loadAll(steps: readonly MigrationSource[]): Promise<LoadedMigration[]> {
  // Every module is imported (and validated) before the first step runs.
  return Promise.all(steps.map((s) => s.load()));
}

function skipped(source: MigrationSource, direction: Direction): MigrationResult {
  return { version: source.version, name: source.name, direction, status: 'skipped', ms: 0 };
}

function done(direction: Direction): MigrationResult['status'] {
  return direction === 'up' ? 'applied' : 'reverted';
}

function withHint(info: { message: string; hint?: string }): string {
  return info.hint ? `${info.message} (hint: ${info.hint})` : info.message;
}
