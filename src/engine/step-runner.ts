import type { AnyKysely } from './any-kysely.ts';
import { isTransactionalStep } from './compile-migrations.ts';
import type { HistoryGuard } from './dialect-adapter.ts';
import { dialectSkipNote } from './dialect-skip.ts';
import {
  BatchOutcomeUnknownError,
  MigrationFailedError,
  TransactionCheckClearedError,
  TransactionEndedError,
} from './errors.ts';
import { guardProcessExit, type StepInFlight } from './exit-guard.ts';
import { forbidNestedTransactions } from './forbid-nested-transactions.ts';
import { interruptedOr, MigrationInterruptedError } from './interrupted-error.ts';
import { InvalidIndexLeftError, invalidIndexesLeft, readInvalidIndexes } from './invalid-index.ts';
import { LockContentionError } from './lock-contention-error.ts';
import { BlockerProbe, DEFAULT_LOCK_RETRIES, retryDelay } from './lock-retry.ts';
import { ScriptError } from './script-error.ts';
import { InterruptSignal, signalGuard } from './signal-guard.ts';
import { StatementRecorder } from './statement-recorder.ts';
import { MAX_BATCH_CHARS, MAX_BATCH_STEPS, SERVER_MEASURED_MS } from './step-batch.ts';
import { bounded, pick, result, withHint } from './step-result.ts';
import type { RunStep, StepRunnerOptions, StepRunOutcome } from './step-types.ts';
import { historyDigest, type PlannedRow } from './tracking-store.ts';
import type { Direction, LoadedMigration, MigrationResult, MigrationSource, MigrationStep } from './types.ts';

export type { MigrationEvent, RunStep, StepRunnerOptions, StepRunOutcome } from './step-types.ts';
export { DEFAULT_LOCK_RETRIES };

/**
 * Runs one step under the migration lock, after checking under that lock
 * that the history is the one the plan was made from (`expected`, the plan's
 * own earlier steps included), with its tracking row and history written in
 * the same transaction (transactional steps) or around it (the others).
 */
export class StepRunner {
  readonly #o: StepRunnerOptions;

  constructor(options: StepRunnerOptions) {
    this.#o = options;
  }

  /** A step runs in a transaction unless its file says not to, or the database would refuse it in one. */
  /** Why a migration limited to other dialects is recorded here without running (dialect-skip.ts), or undefined. */
  skipNote(source: Pick<MigrationSource, 'dialects'>): string | undefined {
    return dialectSkipNote(source, this.#o.adapter.dialect);
  }

  /**
   * A step that sends nothing but its script under the run's lock (a transactional
   * SQL step that runs here): the step before it may have its COMMIT travel with it.
   */
  sendsOnlyItsScript(step: RunStep): boolean {
    const code = step.direction === 'up' ? step.migration.up : step.migration.down;
    return (
      code?.kind === 'sql' &&
      this.skipNote(step.source) === undefined &&
      this.isTransactional(step.migration, step.direction)
    );
  }

  /**
   * How many steps from `from` on go in one round trip (decision 0007): the
   * script steps in a row there, within the batch limits, when the driver can
   * batch; 1 (a step on its own) otherwise.
   */
  batchLength(steps: readonly RunStep[], from: number): number {
    if (!this.#o.adapter.runScriptBatch) return 1;
    let count = 0;
    let chars = 0;
    for (let i = from; i < steps.length && count < MAX_BATCH_STEPS; i++) {
      const step = steps[i]!;
      if (!this.sendsOnlyItsScript(step)) break;
      chars += (this.#code(step) as { sql: string }).sql.length;
      if (count > 0 && chars > MAX_BATCH_CHARS) break;
      count++;
    }
    return Math.max(count, 1);
  }

  /**
   * Script steps (batchLength of them) on `held`, the connection holding the
   * run's lock, in one round trip when the driver batches them: each in its own
   * transaction with its tracking rows, as psql runs a file of BEGIN … COMMIT
   * blocks. `done` gets each step's result once it is known committed, in
   * order. Returns how many steps it took care of — all, or the ones that
   * committed when the rest are to run one by one (the driver did not batch, or
   * the database refused the text before running it, or a step hit
   * lock_timeout) — or throws the failing step's error, after reporting the
   * ones before it.
   */
  async runBatch(
    steps: readonly RunStep[],
    held: AnyKysely,
    done: (result: MigrationResult) => void,
  ): Promise<number> {
    const { adapter, store, onEvent } = this.#o;
    const first = steps[0]!;
    const last = steps.at(-1)!;
    const items = steps.map((step) => ({
      script: (this.#code(step) as { sql: string }).sql,
      writes: [
        step.direction === 'up'
          ? store.insert(held, { ...pick(step.source), state: 'applied', executionMs: SERVER_MEASURED_MS })
          : store.remove(held, step.source.version),
        store.appendHistory(held, {
          ...pick(step.source),
          action: step.direction,
          executionMs: SERVER_MEASURED_MS,
        }),
      ],
    }));
    const start = (step: RunStep) =>
      onEvent?.({
        type: 'start',
        version: step.source.version,
        name: step.source.name,
        direction: step.direction,
      });
    const began = performance.now();
    const unguard = guardProcessExit(this.#inFlight(first), { through: last.source });
    let outcome: Awaited<ReturnType<NonNullable<typeof adapter.runScriptBatch>>>;
    let sent = false;
    try {
      // SIGINT/SIGTERM cancels the statement running on the server; the round trip then ends
      // there, and what committed is read back — not given up on, which would lose that.
      const leave = signalGuard.enterStep(this.#inFlight(first), () => this.#cancelStatement());
      try {
        outcome = await adapter.runScriptBatch!(held, items, this.#o.lock, () => {
          sent = true;
          start(first);
        });
      } finally {
        leave();
      }
    } catch (error) {
      // Sent, and the session could not say what it did: nothing of it is claimed either way.
      if (sent)
        throw new BatchOutcomeUnknownError(
          steps.map((s) => s.source.version),
          { cause: error },
        );
      // Before anything went (a signal already received, a kept COMMIT that failed): as for one step.
      throw interruptedOr(error, this.#inFlight(first));
    } finally {
      unguard();
    }
    if (outcome === undefined) return 0;
    const committed = outcome.kind === 'done' ? steps.length : outcome.committed;
    // The times the server measured, as the tracking rows say (split evenly if they cannot be read).
    const times = committed
      ? await store
          .recentExecutionMs(held, committed)
          .catch(() => Array<number>(committed).fill(Math.round((performance.now() - began) / steps.length)))
      : [];
    for (const [i, step] of steps.slice(0, committed).entries()) {
      if (i > 0) start(step);
      const finished = result(step.source, step.direction, times[i] ?? 0);
      done(finished);
      onEvent?.({ type: 'done', result: finished });
    }
    if (outcome.kind === 'done') {
      // A signal that came as the round trip finished: its steps are done and recorded; the run stops here.
      const signal = signalGuard.received;
      if (signal) throw new MigrationInterruptedError(signal, this.#inFlight(last), { kind: 'completed' });
      return steps.length;
    }
    if (outcome.then === 'retry') return committed;
    const failing = steps[committed]!;
    if (committed > 0) start(failing);
    const code = this.#code(failing);
    if (outcome.then === 'commit') throw interruptedOr(outcome.error, this.#inFlight(failing));
    if (outcome.then === 'ended')
      throw await this.#recordPartialCommit(
        failing.source,
        code,
        failing.direction,
        new TransactionEndedError({ cause: outcome.error }),
        held,
      );
    throw interruptedOr(
      this.#failure(outcome.error, failing.source, code, failing.direction, true),
      this.#inFlight(failing),
    );
  }

  #code(step: RunStep): MigrationStep {
    return (step.direction === 'up' ? step.migration.up : step.migration.down)!;
  }

  /** What a step is, for the one line said if the process ends or a signal comes while it runs. */
  #inFlight(step: RunStep): StepInFlight {
    return {
      ...step.source,
      file: this.#code(step).file,
      direction: step.direction,
      // A migration for other dialects only is recorded in one transaction, never run (dialect-skip.ts).
      transactional:
        this.skipNote(step.source) !== undefined || this.isTransactional(step.migration, step.direction),
    };
  }

  isTransactional(migration: LoadedMigration, direction: Direction): boolean {
    const step = direction === 'up' ? migration.up : migration.down;
    return step ? isTransactionalStep(migration, step, this.#o.adapter) : migration.transactional;
  }

  /** The guard for a locked run planned from `expected`. */
  guard(expected: readonly PlannedRow[]): HistoryGuard {
    const store = this.#o.store;
    return {
      expected: historyDigest(expected),
      digestOf: (conn) => store.digest(conn),
      digestQuery: (conn) => store.digestQuery(conn),
    };
  }

  /**
   * `held`: the connection that holds the migration lock for the whole run
   * (Migrator checked the history under it): the step runs there, with no check
   * of its own. Every locked operation of the run must use that connection: a
   * second one would wait for the lock its own run holds.
   *
   * `beforeScriptStep` (with `held`): the next thing the caller runs on `held`
   * is a step that sends only its script (sendsOnlyItsScript), or it calls
   * adapter.settleCommit. The driver may then send this step's COMMIT with that
   * script (one round trip per migration on PostgreSQL): the outcome carries
   * `committed`, and `done` is emitted only when it resolves.
   */
  async run(
    step: RunStep,
    expected: readonly PlannedRow[],
    held?: AnyKysely,
    beforeScriptStep = false,
  ): Promise<StepRunOutcome> {
    const { source, direction } = step;
    this.#o.onEvent?.({ type: 'start', version: source.version, name: source.name, direction });
    // While a step runs, the process ending (a migration's process.exit()) is a failure, said in one line.
    const inFlight = this.#inFlight(step);
    const { transactional } = inFlight;
    const unguard = guardProcessExit(inFlight);
    let outcome: StepRunOutcome;
    try {
      // SIGINT/SIGTERM now cancels the step's statement on the server (signal-guard.ts).
      const leave = signalGuard.enterStep(inFlight, () => this.#cancelStatement());
      try {
        outcome = transactional
          ? await this.#runTransactional(step, expected, held, held !== undefined && beforeScriptStep)
          : await this.#runOutsideTransaction(step, expected, held);
      } finally {
        leave();
      }
    } catch (error) {
      throw interruptedOr(error, inFlight);
    } finally {
      unguard();
    }
    if (outcome.kind === 'done') {
      const done = outcome.result;
      // A COMMIT kept back: the step is done, and said to be, when it went.
      if (outcome.committed)
        outcome.committed.then(
          () => this.#o.onEvent?.({ type: 'done', result: done }),
          () => undefined,
        );
      else this.#o.onEvent?.({ type: 'done', result: done });
    }
    // A signal that came as the step finished: it is done and recorded; the run stops here.
    const signal = signalGuard.received;
    if (signal && outcome.kind === 'done') {
      if (outcome.committed && held) {
        await this.#o.adapter.settleCommit(held);
        await outcome.committed;
      }
      throw new MigrationInterruptedError(signal, inFlight, { kind: 'completed' });
    }
    return outcome;
  }

  async #runTransactional(
    step: RunStep,
    expected: readonly PlannedRow[],
    held: AnyKysely | undefined,
    deferCommit: boolean,
  ): Promise<StepRunOutcome> {
    const { source, direction } = step;
    const { store } = this.#o;
    const code = this.#code(step);
    const retries = this.#o.lockRetries ?? DEFAULT_LOCK_RETRIES;
    const heldScript = held !== undefined && this.sendsOnlyItsScript(step);
    const began = performance.now();
    const probe = new BlockerProbe(this.#o.adapter, this.#o.db, this.#o.lock.statementLockTimeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await this.#o.adapter.runLocked(
          held ?? this.#o.db,
          store.table,
          this.#o.lock,
          held ? undefined : this.guard(expected),
          async (trx, finish) => {
            const started = performance.now();
            probe.start();
            try {
              await this.#execute(trx, source, code, direction, true);
            } finally {
              probe.stop();
            }
            // Stopped while it ran: roll back rather than commit a step the user asked to stop.
            if (signalGuard.received) throw new InterruptSignal(signalGuard.received);
            const ms = Math.round(performance.now() - started);
            finish(
              direction === 'up'
                ? store.insert(trx, { ...pick(source), state: 'applied', executionMs: ms })
                : store.remove(trx, source.version),
            );
            const note = this.skipNote(source);
            finish(
              store.appendHistory(trx, {
                ...pick(source),
                action: direction,
                executionMs: ms,
                ...(note ? { details: note } : {}),
              }),
            );
            return ms;
          },
          // Under the run's lock a script step sends nothing before its script: the driver may open with
          // it, and may keep its COMMIT back for the next script step's round trip.
          {
            heldScript,
            deferCommit: heldScript && deferCommit,
            ...(code.kind === 'sql' && this.skipNote(source) === undefined ? { script: code.sql } : {}),
          },
        );
        if (!outcome.ran) return { kind: 'changed' };
        const done = result(source, direction, outcome.value, this.skipNote(source));
        return outcome.committed
          ? { kind: 'done', result: done, committed: outcome.committed }
          : { kind: 'done', result: done };
      } catch (error) {
        if (error instanceof TransactionEndedError)
          throw await this.#recordPartialCommit(source, code, direction, error, held ?? this.#o.db);
        if (error instanceof TransactionCheckClearedError)
          throw new MigrationFailedError(source.version, source.name, code.file, direction, error.message, {
            rolledBack: true,
            cause: error,
          });
        // Only a migration's own statement hitting lock_timeout is retried, never the migrator's lock wait.
        const retryable = error instanceof MigrationFailedError && this.#o.adapter.isLockTimeout(error.cause);
        if (!retryable || signalGuard.received) throw error;
        const delayMs = retryDelay(attempt + 1);
        const waited = performance.now() - began;
        // Bounded in count and in total (the lock timeout): then name who blocks it, not the migration.
        if (
          attempt >= retries ||
          waited + delayMs + this.#o.lock.statementLockTimeoutMs > this.#o.lock.lockTimeoutMs
        )
          throw new LockContentionError(
            source.version,
            source.name,
            code.file,
            direction,
            attempt + 1,
            waited,
            this.#o.lock.statementLockTimeoutMs,
            probe.seen,
            { cause: error },
          );
        this.#o.onEvent?.({ type: 'retry', version: source.version, attempt: attempt + 1, delayMs });
        await new Promise((r) => setTimeout(r, delayMs));
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
    db: AnyKysely,
  ): Promise<MigrationFailedError> {
    const { store } = this.#o;
    const inner = ended.cause instanceof MigrationFailedError ? ended.cause.cause : ended.cause;
    const reason = new TransactionEndedError(inner === undefined ? {} : { cause: inner }).message;
    const state = direction === 'up' ? 'running' : 'reverting';
    await this.#o.adapter.runLocked(db, store.table, this.#o.lock, undefined, async (trx) => {
      const rows = (await store.read(trx)) ?? [];
      await store.run(
        trx,
        rows.some((r) => r.version === source.version)
          ? store.setState(trx, source.version, { state, error: reason })
          : store.insert(trx, { ...pick(source), state, executionMs: 0, error: reason }),
      );
    });
    return new MigrationFailedError(source.version, source.name, step.file, direction, reason, {
      rolledBack: false,
      cause: ended,
    });
  }

  async #runOutsideTransaction(
    step: RunStep,
    expected: readonly PlannedRow[],
    held: AnyKysely | undefined,
  ): Promise<StepRunOutcome> {
    const { source, direction } = step;
    const { store, adapter } = this.#o;
    const code = this.#code(step);
    const guard = this.guard(expected);
    return adapter.withSessionLock(held ?? this.#o.db, store.table, this.#o.lock, async (conn) => {
      if (!held && (await guard.digestOf(conn)) !== guard.expected) return { kind: 'changed' } as const;
      // Written before the step: if we crash now, the next run sees a dirty state.
      await store.run(
        conn,
        direction === 'up'
          ? store.insert(conn, { ...pick(source), state: 'running', executionMs: 0 })
          : store.setState(conn, source.version, { state: 'reverting' }),
      );
      // What was INVALID before, so that a failure names only the indexes this step left (CONCURRENTLY).
      const invalidBefore = await readInvalidIndexes(adapter, conn);
      const started = performance.now();
      try {
        await this.#execute(conn, source, code, direction, false);
      } catch (error) {
        // A file that runs BEGIN … COMMIT blocks of its own may fail inside one: end it (as psql's exit
        // would), or the session refuses every query after, the step's own error record included.
        await adapter.abandonTransaction(conn);
        const left = await invalidIndexesLeft(adapter, conn, invalidBefore);
        const failure =
          left.length && error instanceof MigrationFailedError
            ? new InvalidIndexLeftError(error, left)
            : error;
        const text = failure instanceof Error ? failure.message : String(failure);
        const signal = signalGuard.received;
        const message = signal ? `interrupted by ${signal}: ${text}` : text;
        // The attempt is audited too: it may have left part of its work, and `force` may later erase the
        // row's error. Best effort: a lost session still leaves the row `running` (dirty).
        await adapter
          .commitWrites(conn, [
            store.setError(conn, source.version, message),
            store.appendHistory(conn, {
              ...pick(source),
              action: direction === 'up' ? 'up-failed' : 'down-failed',
              executionMs: Math.round(performance.now() - started),
              details: message,
            }),
          ])
          .catch(() => undefined);
        throw failure;
      }
      const ms = Math.round(performance.now() - started);
      // The final state and its history row commit together: the crash campaign killed a run
      // between the two and left an applied migration with no history.
      await adapter.commitWrites(conn, [
        direction === 'up'
          ? store.setState(conn, source.version, { state: 'applied', executionMs: ms, error: null })
          : store.remove(conn, source.version),
        store.appendHistory(conn, {
          ...pick(source),
          action: direction,
          executionMs: ms,
          details: 'no transaction',
        }),
      ]);
      return { kind: 'done', result: result(source, direction, ms) } as const;
    });
  }

  /** The step's own work, until it settles, the step timeout passes, or a signal stops the run. */
  #bounded<T>(work: Promise<T>, source: MigrationSource, direction: Direction): Promise<T> {
    return bounded(Promise.race([work, signalGuard.interrupted()]), this.#o.stepTimeoutMs, source, direction);
  }

  /** For the signal guard: the server stops the statement the step runs (when the driver can). */
  async #cancelStatement(): Promise<void> {
    await this.#o.adapter.cancelStatement?.(this.#o.db);
  }

  /** A script's failure as MigrationFailedError: file, line and statement when the database pointed at one. */
  #failure(
    error: unknown,
    source: MigrationSource,
    step: MigrationStep,
    direction: Direction,
    inTransaction: boolean,
  ): MigrationFailedError {
    const info = error instanceof ScriptError ? error.info : this.#o.adapter.describeError(error);
    const where = error instanceof ScriptError ? error.location : {};
    return new MigrationFailedError(source.version, source.name, step.file, direction, withHint(info), {
      ...where,
      ...(info.code ? { code: info.code } : {}),
      ...(info.nextStep ? { nextStep: info.nextStep } : {}),
      rolledBack: inTransaction,
      cause: error instanceof ScriptError ? error.cause : error,
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
    const { adapter } = this.#o;
    if (this.skipNote(source) !== undefined) return;
    if (step.kind === 'sql') {
      try {
        await this.#bounded(adapter.executeScript(db, step.sql, { inTransaction }), source, direction);
      } catch (error) {
        throw this.#failure(error, source, step, direction, inTransaction);
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
      const info = adapter.describeError(error);
      const statement = recorder.lastStatement(db);
      throw new MigrationFailedError(source.version, source.name, step.file, direction, withHint(info), {
        ...(statement ? { statement } : {}),
        ...(info.code ? { code: info.code } : {}),
        ...(info.nextStep ? { nextStep: info.nextStep } : {}),
        rolledBack: inTransaction,
        cause: error,
      });
    }
  }
}
