import type { AnyKysely } from './any-kysely.ts';
import { compileStatements } from './compile-migrations.ts';
import type { DialectAdapter, HistoryGuard, LockOptions } from './dialect-adapter.ts';
import { dialectSkipNote } from './dialect-skip.ts';
import { MigrationFileError, oneLine } from './errors.ts';
import { guardProcessExit } from './exit-guard.ts';
import { forbidNestedTransactions } from './forbid-nested-transactions.ts';
import { RepeatableFailedError, RepeatableInterruptedError } from './repeatable-errors.ts';
import { planRepeatables, type RepeatableToApply, repeatablesDigest } from './repeatable-plan.ts';
import type {
  PlannedRepeatable,
  RepeatableResult,
  RepeatableRow,
  RepeatableSource,
  RepeatableStatusEntry,
} from './repeatable-types.ts';
import { lineAndColumn, ScriptError } from './script-error.ts';
import { signalGuard } from './signal-guard.ts';
import { StatementRecorder } from './statement-recorder.ts';
import type { TrackingStore } from './tracking-store.ts';
import type { MigrationStep } from './types.ts';

export interface RepeatableRunnerOptions {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  readonly store: TrackingStore;
  readonly lock: LockOptions;
  /** Each repeatable as it is done (the CLI prints a line). */
  readonly onResult?: (result: RepeatableResult) => void;
}

interface LoadedRepeatable extends RepeatableToApply {
  readonly step: MigrationStep;
}

/** How many times a run plans again when another process changed the repeatables meanwhile. */
const MAX_REPLANS = 5;

/**
 * Applies repeatable migrations after the versioned ones, under the same
 * migration lock: plan from `<table>_repeatables` (one read), then, holding
 * the lock (one session lock for the run where the driver has one, else one
 * transaction-scoped lock per repeatable), check the rows are still the
 * planned ones and apply each in its own transaction together with its row
 * and its history row. A second process that planned the same work finds the
 * rows changed under the lock and plans again: nothing runs twice.
 */
export class RepeatableRunner {
  readonly #o: RepeatableRunnerOptions;

  constructor(options: RepeatableRunnerOptions) {
    this.#o = options;
  }

  /** Where each repeatable stands (one query; none when the table does not exist yet). */
  async status(sources: readonly RepeatableSource[]): Promise<RepeatableStatusEntry[]> {
    const rows = (await this.#o.store.readRepeatables(this.#o.db)) ?? [];
    if (!sources.length && !rows.length) return [];
    return planRepeatables(sources, rows, this.#o.adapter.dialect).status;
  }

  /**
   * Dry run: what apply() would run now, with the SQL each sends. Changes
   * nothing. `afterRollback`: as after outdateAll() (a redo's plan).
   */
  async plan(
    sources: readonly RepeatableSource[],
    options: { afterRollback?: boolean } = {},
  ): Promise<PlannedRepeatable[]> {
    if (!sources.length) return [];
    const read = (await this.#o.store.readRepeatables(this.#o.db)) ?? [];
    const rows = options.afterRollback ? read.map((r) => ({ ...r, checksum: '' })) : read;
    const loaded = await this.#load(planRepeatables(sources, rows, this.#o.adapter.dialect).toApply);
    const planned: PlannedRepeatable[] = [];
    for (const { source, reason, step } of loaded) {
      const skip = dialectSkipNote(source, this.#o.adapter.dialect) !== undefined;
      planned.push({
        id: source.id,
        file: source.file,
        reason,
        statements: skip ? [] : (await compileStatements(step, this.#o.db)).map((s) => s.trim()),
      });
    }
    return planned;
  }

  /** Applies the pending and outdated repeatables, in name order; returns what it did. */
  async apply(sources: readonly RepeatableSource[]): Promise<RepeatableResult[]> {
    if (!sources.length) return [];
    const results: RepeatableResult[] = [];
    const planned = new Set<string>();
    for (let round = 0; round < MAX_REPLANS; round++) {
      const rows = await this.#rowsCreatingTable();
      const { toApply } = planRepeatables(sources, rows, this.#o.adapter.dialect);
      // Planned by an earlier round, now current: another process applied them meanwhile.
      for (const source of sources) {
        if (!planned.has(source.id) || results.some((r) => r.id === source.id)) continue;
        if (toApply.some((t) => t.source.id === source.id)) continue;
        this.#done(results, { id: source.id, file: source.file, status: 'skipped', ms: 0 });
      }
      const todo = toApply.filter((t) => !results.some((r) => r.id === t.source.id));
      if (!todo.length) return results;
      // A run of repeatables only writes too: tables altered by hand are refused first (once per store).
      await this.#o.store.assertShape(this.#o.db);
      for (const t of todo) planned.add(t.source.id);
      const loaded = await this.#load(todo);
      if (!this.#o.adapter.capabilities.sessionLock) {
        // Behind a transaction pooler: each one checks its own row under its own transaction's lock.
        for (const item of loaded) {
          const result = await this.#applyOne(item, undefined);
          if (result) this.#done(results, result);
        }
        continue;
      }
      const expected = repeatablesDigest(rows);
      const stillPlanned = async (conn: AnyKysely) =>
        repeatablesDigest((await this.#o.store.readRepeatables(conn)) ?? []) === expected;
      const outcome = await this.#o.adapter.withRunLock(
        this.#o.db,
        this.#o.store.table,
        this.#o.lock,
        stillPlanned,
        async (conn) => {
          if (!(await stillPlanned(conn))) return false;
          for (const item of loaded) {
            const result = await this.#applyOne(item, conn);
            if (result) this.#done(results, result);
          }
          return true;
        },
      );
      if (outcome.ran && outcome.value) return results;
    }
    return results;
  }

  /**
   * After a rollback (down, to, redo): the objects under the repeatables may
   * be gone or changed, so every row is marked outdated (empty checksum); the
   * next run that reaches the newest version applies them again. Called before
   * the rollback runs: if it then fails, applying them again is harmless.
   */
  async outdateAll(): Promise<void> {
    const rows = await this.#o.store.readRepeatables(this.#o.db);
    if (!rows?.some((r) => r.checksum !== '')) return;
    const { store } = this.#o;
    await this.#o.adapter.runLocked(this.#o.db, store.table, this.#o.lock, undefined, async (trx) => {
      await store.run(trx, store.outdateRepeatables(trx));
    });
  }

  #done(results: RepeatableResult[], result: RepeatableResult): void {
    results.push(result);
    this.#o.onResult?.(result);
  }

  /**
   * The rows. The table is made with the first repeatable (a database that
   * never had one has no such table), after the tracking tables its history
   * rows go to (a folder of only repeatables has none yet).
   */
  async #rowsCreatingTable(): Promise<RepeatableRow[]> {
    const { db, adapter, store, lock } = this.#o;
    const rows = await store.readRepeatables(db);
    if (rows) return rows;
    if ((await store.read(db)) === null)
      await adapter.ensureTrackingTables(db, store.table, lock.lockTimeoutMs);
    await adapter.ensureRepeatablesTable(db, store.table, lock.lockTimeoutMs);
    return (await store.readRepeatables(db)) ?? [];
  }

  /**
   * One repeatable in one locked transaction with its rows; undefined when its
   * row changed meanwhile. A SIGINT/SIGTERM meanwhile cancels its statement
   * (signal-guard.ts) and ends the run with RepeatableInterruptedError.
   */
  async #applyOne(
    item: LoadedRepeatable,
    held: AnyKysely | undefined,
  ): Promise<RepeatableResult | undefined> {
    const { source } = item;
    const { adapter, db } = this.#o;
    const inFlight = {
      version: 0,
      name: source.id,
      file: source.file,
      direction: 'up' as const,
      transactional: true,
    };
    let result: RepeatableResult | undefined;
    // The process ending while it runs (a module's process.exit()) is a failure, said in one line.
    const unguard = guardProcessExit(inFlight, { repeatable: true });
    try {
      const leave = signalGuard.enterStep(inFlight, async () => {
        await adapter.cancelStatement?.(db);
      });
      try {
        result = await this.#applyLocked(item, held);
      } finally {
        leave();
        unguard();
      }
    } catch (error) {
      const signal = signalGuard.received;
      if (!signal) throw error;
      throw new RepeatableInterruptedError(signal, source.id, source.file, false, { cause: error });
    }
    const signal = signalGuard.received;
    if (signal && result) throw new RepeatableInterruptedError(signal, source.id, source.file, true);
    return result;
  }

  async #applyLocked(
    item: LoadedRepeatable,
    held: AnyKysely | undefined,
  ): Promise<RepeatableResult | undefined> {
    const { source, reason, step } = item;
    const { store, adapter } = this.#o;
    const note = dialectSkipNote(source, adapter.dialect);
    const outcome = await adapter.runLocked(
      held ?? this.#o.db,
      store.table,
      this.#o.lock,
      held ? undefined : this.#guard(source.id, item.plannedChecksum),
      async (trx, finish) => {
        const started = performance.now();
        // Raced against a signal: a step that ignores the cancellation (a TS timer) must not hold the run.
        if (!note) await Promise.race([this.#execute(trx, source, step), signalGuard.interrupted()]);
        const ms = Math.round(performance.now() - started);
        for (const write of store.recordRepeatable(trx, { ...source, executionMs: ms })) finish(write);
        finish(
          store.appendHistory(trx, {
            version: 0,
            name: source.id,
            action: 'repeatable',
            checksum: source.checksum,
            executionMs: ms,
            details: note ?? (reason === 'pending' ? 'applied' : 'changed: applied again'),
          }),
        );
        return ms;
      },
    );
    if (!outcome.ran) return undefined;
    return {
      id: source.id,
      file: source.file,
      status: reason === 'pending' ? 'applied' : 'reapplied',
      ms: outcome.value,
      ...(note ? { note } : {}),
    };
  }

  /**
   * Under the lock, the row must still hold the checksum the plan saw ('' when
   * absent or outdated). Read from the plan, not again now: a run that applied
   * it between the plan and this lock would otherwise look like the plan.
   */
  #guard(id: string, planned: string): HistoryGuard {
    const { store } = this.#o;
    return {
      expected: planned,
      digestOf: (conn) => store.repeatableDigest(conn, id),
      digestQuery: (conn) => store.repeatableDigestQuery(conn, id),
    };
  }

  /** Imports every module and checks every file before the first one runs. */
  async #load(todo: readonly RepeatableToApply[]): Promise<LoadedRepeatable[]> {
    const loaded: LoadedRepeatable[] = [];
    for (const item of todo) {
      const step = await item.source.load();
      if (step.kind === 'sql' && dialectSkipNote(item.source, this.#o.adapter.dialect) === undefined)
        this.#assertRunsInTransaction(step);
      loaded.push({ ...item, step });
    }
    return loaded;
  }

  /** A repeatable always runs in the engine's transaction: refuse what cannot, before anything runs. */
  #assertRunsInTransaction(step: Extract<MigrationStep, { kind: 'sql' }>): void {
    const { adapter } = this.#o;
    const own = adapter.scriptTransactions(step.sql);
    if (own.kind !== 'none') {
      const { statement } = own;
      const { line } = lineAndColumn(step.sql, statement.offset);
      throw new MigrationFileError(
        `${step.file}:${line}`,
        `\`${oneLine(statement.sql).slice(0, 40)}\` controls the transaction, but a repeatable migration runs inside the engine's transaction`,
        'remove it (a whole-file BEGIN … COMMIT wrapper is fine)',
      );
    }
    const outside = adapter.findNonTransactionalStatement(step.sql);
    if (outside !== undefined) {
      throw new MigrationFileError(
        step.file,
        `\`${oneLine(outside).slice(0, 40)}\` cannot run in a transaction, but a repeatable migration always does`,
        'move that statement to a versioned migration',
      );
    }
  }

  /** Runs the step; any failure becomes a RepeatableFailedError naming file, line and statement. */
  async #execute(trx: AnyKysely, source: RepeatableSource, step: MigrationStep): Promise<void> {
    const { adapter } = this.#o;
    if (step.kind === 'sql') {
      try {
        await adapter.executeScript(trx, step.sql, { inTransaction: true });
      } catch (error) {
        const info = error instanceof ScriptError ? error.info : adapter.describeError(error);
        const where = error instanceof ScriptError ? error.location : {};
        throw new RepeatableFailedError(source.id, step.file, withHint(info), {
          ...where,
          ...(info.code ? { code: info.code } : {}),
          cause: error instanceof ScriptError ? error.cause : error,
        });
      }
      return;
    }
    const recorder = new StatementRecorder();
    try {
      await step.run(forbidNestedTransactions(trx.withPlugin(recorder), step.file));
    } catch (error) {
      const info = adapter.describeError(error);
      const statement = recorder.lastStatement(trx);
      throw new RepeatableFailedError(source.id, step.file, withHint(info), {
        ...(statement ? { statement } : {}),
        ...(info.code ? { code: info.code } : {}),
        cause: error,
      });
    }
  }
}

function withHint(info: { message: string; hint?: string }): string {
  return info.hint ? `${info.message} (hint: ${info.hint})` : info.message;
}
