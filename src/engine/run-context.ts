import type { AnyKysely } from './any-kysely.ts';
import { describeRunner } from './applied-by.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import { ConflictingMigrationError, HistoryChangedError } from './errors.ts';
import { analyzeHistory, assertRunnable, describeChanges, type History } from './plan.ts';
import { RepeatableHook } from './repeatable-hook.ts';
import type { RepeatableSource } from './repeatable-types.ts';
import { DEFAULT_LOCK_RETRIES, type MigrationEvent, StepRunner } from './step-runner.ts';
import { type PlannedRow, TrackingStore } from './tracking-store.ts';
import type { MigrationSource, TrackingRow, TrackingTable } from './types.ts';

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;
/** lock_timeout of one attempt of a migration's statement: what queries queued behind it wait at most. */
export const DEFAULT_STATEMENT_LOCK_TIMEOUT_MS = 2_000;
/** One hour: long index builds fit; a step that never settles does not hold its locks forever. */
export const DEFAULT_STEP_TIMEOUT_MS = 3_600_000;

export interface MigratorOptions {
  db: AnyKysely;
  adapter: DialectAdapter;
  /** The migrations, or how to load them (called once per command). */
  sources: readonly MigrationSource[] | (() => Promise<readonly MigrationSource[]>);
  /** The repeatable migrations (R__*), or how to load them; applied after a run that reaches the newest version. */
  repeatables?: readonly RepeatableSource[] | (() => Promise<readonly RepeatableSource[]>);
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

/** The files and the tracking rows, read together, and what they say about each other. */
export interface Read {
  sources: readonly MigrationSource[];
  rows: TrackingRow[];
  history: History;
  initialized: boolean;
}

/** What a locked plan does when the history changed under it: plan again (latest/up) or stop (the rest). */
export type OnChange = { replan: true } | { replan: false; command: string };

/**
 * What every command shares: the options with their defaults applied, the
 * tracking store, the step runner, and the read / lock / refuse steps of the
 * one path (lock → read → plan → run) the commands in ./commands/ follow.
 */
export class RunContext {
  readonly options: MigratorOptions;
  readonly table: TrackingTable;
  readonly lock: LockOptions;
  readonly store: TrackingStore;
  readonly runner: StepRunner;
  /** Repeatable migrations: applied after an up that leaves nothing pending, outdated by a rollback. */
  readonly repeatables: RepeatableHook;

  constructor(options: MigratorOptions) {
    this.options = options;
    this.table = {
      schema: options.table?.schema ?? options.adapter.defaultSchema,
      name: options.table?.name ?? 'schema_migrations',
    };
    const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.lock = {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      statementLockTimeoutMs: options.statementLockTimeoutMs ?? DEFAULT_STATEMENT_LOCK_TIMEOUT_MS,
      // No single statement may outlive the step it belongs to: the server stops it by itself.
      statementTimeoutMs: options.statementTimeoutMs || stepTimeoutMs,
      idleInTransactionTimeoutMs: stepTimeoutMs,
    };
    this.store = new TrackingStore(this.table, options.adapter, options.appliedBy ?? describeRunner());
    this.runner = new StepRunner({
      db: options.db,
      adapter: options.adapter,
      store: this.store,
      lock: this.lock,
      lockRetries: options.lockRetries ?? DEFAULT_LOCK_RETRIES,
      stepTimeoutMs,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    this.repeatables = new RepeatableHook({ ...options, store: this.store, lock: this.lock });
  }

  get db(): AnyKysely {
    return this.options.db;
  }

  get adapter(): DialectAdapter {
    return this.options.adapter;
  }

  emit(event: MigrationEvent): void {
    this.options.onEvent?.(event);
  }

  /** Creates the tracking tables when the read found none (the first write ever). */
  async ensureTracking(initialized: boolean): Promise<void> {
    if (initialized) return;
    // Tables this call made have the DDL's shape: not read back (a catalog query, a round trip).
    if (await this.adapter.ensureTrackingTables(this.db, this.table, this.lock.lockTimeoutMs))
      this.store.trustShape();
  }

  /** Files first (a bad file is reported before the database is touched), then the rows: one query. */
  async read(): Promise<Read> {
    const { sources: given } = this.options;
    const sources = typeof given === 'function' ? await given() : given;
    const rows = await this.store.read(this.db);
    return {
      sources,
      rows: rows ?? [],
      history: analyzeHistory(sources, rows ?? []),
      initialized: rows !== null,
    };
  }

  /**
   * read(), then refuses a dirty or changed history. A 'running'/'reverting' row
   * can also be another process's non-transactional step in progress (several
   * app instances starting at once): that process holds the session lock for
   * the whole step, so wait for the lock and read again, on the same connection,
   * before calling the database dirty. `planned`: the steps of a previous plan,
   * checked first against rows another process wrote for the same versions.
   */
  async readRunnable(planned: readonly MigrationSource[] = []): Promise<Read> {
    const read = await this.read();
    if (read.history.dirty.length && !this.options.dryRun && this.adapter.capabilities.sessionLock) {
      const rows = await this.adapter.withSessionLock(this.db, this.table, this.lock, (conn) =>
        this.store.read(conn),
      );
      read.rows = rows ?? [];
      read.history = analyzeHistory(read.sources, read.rows);
    }
    // By version: a waiter released behind a run of a thousand migrations checks a thousand.
    const byVersion = new Map(read.rows.map((r) => [r.version, r]));
    for (const source of planned) {
      const row = byVersion.get(source.version);
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

  /** One locked transaction that runs only if the history is still `rows`; refuses (exit 4) otherwise. */
  async locked(
    command: string,
    rows: readonly PlannedRow[],
    fn: (trx: AnyKysely, store: TrackingStore) => Promise<void>,
  ): Promise<void> {
    await this.store.assertShape(this.db);
    const outcome = await this.adapter.runLocked(
      this.db,
      this.table,
      this.lock,
      this.runner.guard(rows),
      (trx) => fn(trx, this.store),
    );
    if (!outcome.ran) throw await this.changed(command, rows, 0);
  }

  /** The refusal for a history that moved under a plan, naming what moved (read again, after the lock). */
  async changed(command: string, expected: readonly PlannedRow[], completed: number): Promise<Error> {
    const found = (await this.store.read(this.db)) ?? [];
    return new HistoryChangedError(command, describeChanges(expected, found), completed);
  }
}
