import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter, LockOptions } from './dialect-adapter.ts';
import { analyzeHistory } from './plan.ts';
import { RepeatableRunner } from './repeatable-runner.ts';
import type {
  PlannedRepeatable,
  RepeatableResult,
  RepeatableSource,
  RepeatableStatusEntry,
} from './repeatable-types.ts';
import type { MigrationEvent } from './step-runner.ts';
import type { TrackingStore } from './tracking-store.ts';
import type { MigrationSource } from './types.ts';

type Loader<T> = readonly T[] | (() => Promise<readonly T[]>);

export interface RepeatableHookOptions {
  readonly db: AnyKysely;
  readonly adapter: DialectAdapter;
  readonly store: TrackingStore;
  readonly lock: LockOptions;
  readonly sources: Loader<MigrationSource>;
  /** The repeatable migrations, or how to load them; absent: none. */
  readonly repeatables?: Loader<RepeatableSource> | undefined;
  readonly dryRun?: boolean | undefined;
  readonly onEvent?: ((event: MigrationEvent) => void) | undefined;
}

/** What a run adds to its result when repeatables are involved. */
export interface RepeatableRunFields {
  /** Repeatables applied by this run, after its versioned steps (absent when none ran). */
  repeatables?: RepeatableResult[];
  /** Dry runs: the repeatables the run would apply after its planned steps. */
  plannedRepeatables?: PlannedRepeatable[];
}

/**
 * Where repeatables meet the versioned commands (the Migrator calls it):
 * after an up that leaves nothing pending they are applied; before a rollback
 * they are marked outdated; status lists them. A folder without repeatables
 * costs nothing here: no file, no query.
 */
export class RepeatableHook {
  readonly #o: RepeatableHookOptions;
  readonly #runner: RepeatableRunner;

  constructor(options: RepeatableHookOptions) {
    this.#o = options;
    this.#runner = new RepeatableRunner({
      db: options.db,
      adapter: options.adapter,
      store: options.store,
      lock: options.lock,
      onResult: (result) => options.onEvent?.({ type: 'repeatable', result }),
    });
  }

  /**
   * After latest/up/to: when no versioned migration is pending (and none is
   * dirty), applies the pending and outdated repeatables. A dry run lists them
   * when its planned steps would leave nothing pending.
   */
  async afterUp<R extends { planned?: { direction: string }[] | undefined }>(
    run: R,
    options: { afterRollback?: boolean } = {},
  ): Promise<R & RepeatableRunFields> {
    const repeatables = await load(this.#o.repeatables);
    if (!repeatables.length) return run;
    const sources = await load(this.#o.sources);
    const history = analyzeHistory(sources, (await this.#o.store.read(this.#o.db)) ?? []);
    if (this.#o.dryRun) {
      const planned = run.planned ?? [];
      const upSteps = planned.filter((p) => p.direction === 'up').length;
      const reaches = !history.dirty.length && upSteps >= history.pending.length;
      return {
        ...run,
        planned,
        plannedRepeatables: reaches ? await this.#runner.plan(repeatables, options) : [],
      };
    }
    if (history.pending.length || history.dirty.length) return run;
    const applied = await this.#runner.apply(repeatables);
    return applied.length ? { ...run, repeatables: applied } : run;
  }

  /** Before down/to (lower)/redo runs: every repeatable becomes outdated (see RepeatableRunner.outdateAll). */
  async beforeRollback(): Promise<void> {
    if (this.#o.dryRun) return;
    await this.#runner.outdateAll();
  }

  /** Where each repeatable stands, for status. */
  async status(): Promise<RepeatableStatusEntry[]> {
    return this.#runner.status(await load(this.#o.repeatables));
  }
}

async function load<T>(loader: Loader<T> | undefined): Promise<readonly T[]> {
  if (!loader) return [];
  return typeof loader === 'function' ? loader() : loader;
}
