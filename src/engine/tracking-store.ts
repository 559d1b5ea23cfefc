import { type CompiledQuery, sql } from 'kysely';
import type { AnyKysely } from './any-kysely.ts';
import { TrackingTableError } from './errors.ts';
import type { RepeatableRow } from './repeatable-types.ts';
import {
  assertOneRowPerVersion,
  COLUMNS,
  type HistoryEntry,
  historyDigest,
  type NewTrackingRow,
  type RawRepeatableRow,
  type RawTrackingRow,
  toTrackingRow,
} from './tracking-rows.ts';
import { assertTrackingShape, TrackingShapeError, type TrackingShapeReading } from './tracking-shape.ts';
import type { MigrationState, TrackingRow, TrackingTable } from './types.ts';
import { WriteTemplates } from './write-templates.ts';

export {
  type HistoryAction,
  type HistoryEntry,
  historyDigest,
  type NewTrackingRow,
  type PlannedRow,
} from './tracking-rows.ts';

/**
 * A tracking write, not yet sent: the runner either executes it or hands it to
 * the driver, which may send it together with COMMIT (one round trip).
 */
export interface TrackingWrite {
  compile(): CompiledQuery;
}

/** What the store needs from a driver: whether tables live in a schema, and how "no such table" looks. */
export interface TrackingStoreDriver {
  readonly capabilities: { readonly schemas: boolean; readonly digestInSql: boolean };
  /** `absent`: the table (or its schema) does not exist; `malformed`: a column is missing. */
  classifyTrackingReadError(error: unknown): 'absent' | 'malformed' | undefined;
  /** The tracking tables as the catalog describes them (assertShape). */
  readTrackingShape(db: AnyKysely, table: TrackingTable): Promise<TrackingShapeReading>;
}

/**
 * How the user names a table: `schema.name` where the driver has schemas,
 * else `name` (SQLite ignores TrackingTable.schema). Two tables with the same
 * label are the same table.
 */
export function trackingTableLabel(
  table: TrackingTable,
  driver: Pick<TrackingStoreDriver, 'capabilities'>,
): string {
  return driver.capabilities.schemas ? `${table.schema}.${table.name}` : table.name;
}

/**
 * Every table kmigrate keeps for `table`: the tracking table, its `_history`
 * and its `_repeatables`. Snapshots, dumps and generated types leave them out.
 */
export function trackingTableNames(table: Pick<TrackingTable, 'name'>): string[] {
  return [table.name, `${table.name}_history`, `${table.name}_repeatables`];
}

/**
 * The one owner of the tracking table and its `_history` companion: every
 * read and write of them, by every command and by the history import, is
 * built here with Kysely's builder (as kysely's own Migrator does); drivers
 * only create the tables (DDL) and decide how writes travel.
 */
export class TrackingStore {
  readonly table: TrackingTable;
  readonly historyTable: string;
  /** One row per repeatable migration applied here: `R__name`, checksum, when. */
  readonly repeatablesTable: string;
  readonly #driver: TrackingStoreDriver;
  readonly #appliedBy: string;
  #shapeChecked = false;
  /** The first compiled tracking row and history row, reused by later ones. */
  readonly #templates = new WriteTemplates<'row' | 'history'>();

  constructor(table: TrackingTable, driver: TrackingStoreDriver, appliedBy: string) {
    this.table = table;
    this.historyTable = `${table.name}_history`;
    this.repeatablesTable = `${table.name}_repeatables`;
    this.#driver = driver;
    this.#appliedBy = appliedBy;
  }

  #db(db: AnyKysely): AnyKysely {
    return this.#driver.capabilities.schemas ? db.withSchema(this.table.schema) : db;
  }

  /** All rows ordered by version, in one query; null when the table does not exist yet. */
  async read(db: AnyKysely): Promise<TrackingRow[] | null> {
    try {
      const rows = (await this.#db(db)
        .selectFrom(this.table.name)
        .select(COLUMNS)
        .orderBy('version')
        .execute()) as RawTrackingRow[];
      const found = rows.map(toTrackingRow);
      assertOneRowPerVersion(found, trackingTableLabel(this.table, this.#driver));
      return found;
    } catch (error) {
      if (error instanceof TrackingShapeError) throw error;
      this.#absentOrThrow(error);
      return null;
    }
  }

  /** A failed read of the tracking table: returns when the table does not exist yet; a malformed one is refused. */
  #absentOrThrow(error: unknown): void {
    const kind = this.#driver.classifyTrackingReadError(error);
    if (kind === 'absent') return;
    if (kind === 'malformed') {
      throw new TrackingTableError(
        trackingTableLabel(this.table, this.#driver),
        `exists but is not in kmigrate's format (${(error as Error).message})`,
      );
    }
    throw error;
  }

  /** The tables were made by this run's own DDL (ensureTrackingTables said so): assertShape has nothing to check. */
  trustShape(): void {
    this.#shapeChecked = true;
  }

  /**
   * Before the first write of a run: refuses tracking tables altered by hand
   * (a column or the history table dropped, a type changed, version's key
   * dropped; the same in `_repeatables`) with the statement that restores
   * them. One catalog read per store.
   */
  async assertShape(db: AnyKysely): Promise<void> {
    if (this.#shapeChecked) return;
    this.#refuseAltered(await this.#driver.readTrackingShape(db, this.table));
    this.#shapeChecked = true;
  }

  #refuseAltered({ shape, sql: dialect }: TrackingShapeReading): void {
    const names = {
      tracking: this.table.name,
      history: this.historyTable,
      repeatables: this.repeatablesTable,
    };
    assertTrackingShape(shape, names, dialect, (name) =>
      trackingTableLabel({ ...this.table, name }, this.#driver),
    );
  }

  /**
   * After a read that found a column of `_repeatables` missing: the shape
   * check's refusal names the column and the statement that adds it back.
   * Returns when it cannot tell (the catalog read failed too, e.g. in an
   * aborted transaction); the caller then refuses in general terms.
   */
  async #explainMalformed(db: AnyKysely): Promise<void> {
    let reading: TrackingShapeReading;
    try {
      reading = await this.#driver.readTrackingShape(db, this.table);
    } catch {
      return;
    }
    this.#refuseAltered(reading);
  }

  /**
   * The digest (see historyDigest) of the rows as they are now, in one query: computed by the
   * database where it can (one row back, not the history: lock waiters ask after every wake-up).
   */
  async digest(db: AnyKysely): Promise<string> {
    if (!this.#driver.capabilities.digestInSql) return historyDigest((await this.read(db)) ?? []);
    try {
      const row = await this.#digestSelect(db).executeTakeFirst();
      return row?.digest ?? historyDigest([]);
    } catch (error) {
      // As read(): no table yet is an empty history.
      this.#absentOrThrow(error);
      return historyDigest([]);
    }
  }

  /**
   * historyDigest computed by the database in one SELECT (column `digest`),
   * for drivers that check it inside the round trip that takes their lock.
   * Spelled with md5 and string_agg: only drivers whose database has both use it.
   */
  digestQuery(db: AnyKysely): TrackingWrite {
    return this.#digestSelect(db);
  }

  #digestSelect(db: AnyKysely) {
    return this.#db(db)
      .selectFrom(this.table.name)
      .select(
        sql<string>`md5(coalesce(string_agg(cast(version as text) || ':' || state || ':' || checksum || ':' || name, ',' order by version), ''))`.as(
          'digest',
        ),
      );
  }

  /** The repeatables' rows ordered by name; null when the table does not exist yet (an older database). */
  async readRepeatables(db: AnyKysely): Promise<RepeatableRow[] | null> {
    try {
      const rows = (await this.#db(db)
        .selectFrom(this.repeatablesTable)
        .select(['name', 'checksum', 'applied_at', 'execution_ms', 'applied_by'])
        .orderBy('name')
        .execute()) as RawRepeatableRow[];
      return rows.map((raw) => ({
        id: raw.name,
        checksum: raw.checksum,
        appliedAt: raw.applied_at instanceof Date ? raw.applied_at : new Date(raw.applied_at),
        executionMs: Number(raw.execution_ms),
        appliedBy: raw.applied_by,
      }));
    } catch (error) {
      const kind = this.#driver.classifyTrackingReadError(error);
      if (kind === 'absent') return null;
      if (kind === 'malformed') {
        await this.#explainMalformed(db);
        throw new TrackingTableError(
          trackingTableLabel({ ...this.table, name: this.repeatablesTable }, this.#driver),
          `exists but is not in kmigrate's format (${(error as Error).message})`,
        );
      }
      throw error;
    }
  }

  /**
   * The guard's digest for one repeatable: its recorded checksum, '' when it
   * has no row. digestQuery's twin in SQL (one SELECT with a `digest` column).
   */
  async repeatableDigest(db: AnyKysely, id: string): Promise<string> {
    const row = await this.#db(db)
      .selectFrom(this.repeatablesTable)
      .select('checksum')
      .where('name', '=', id)
      .executeTakeFirst();
    return (row?.checksum as string | undefined) ?? '';
  }

  repeatableDigestQuery(db: AnyKysely, id: string): TrackingWrite {
    return this.#db(db)
      .selectFrom(this.repeatablesTable)
      .select(sql<string>`coalesce(max(checksum), '')`.as('digest'))
      .where('name', '=', id);
  }

  /** Records a repeatable as applied with `checksum` (replacing its row: delete, then insert, on every dialect). */
  recordRepeatable(
    db: AnyKysely,
    row: { id: string; checksum: string; executionMs: number },
  ): TrackingWrite[] {
    return [
      this.#db(db).deleteFrom(this.repeatablesTable).where('name', '=', row.id),
      this.#db(db).insertInto(this.repeatablesTable).values({
        name: row.id,
        checksum: row.checksum,
        execution_ms: row.executionMs,
        applied_by: this.#appliedBy,
      }),
    ];
  }

  /** Marks every repeatable outdated (an empty checksum): the next run that reaches the newest version applies them again. */
  outdateRepeatables(db: AnyKysely): TrackingWrite {
    return this.#db(db).updateTable(this.repeatablesTable).set({ checksum: '' });
  }

  insert(db: AnyKysely, row: NewTrackingRow): TrackingWrite {
    const values = {
      version: row.version,
      name: row.name,
      checksum: row.checksum,
      state: row.state,
      execution_ms: row.executionMs,
      applied_by: this.#appliedBy,
      error: row.error ?? null,
    };
    return this.#templates.write('row', Object.values(values), () =>
      this.#db(db).insertInto(this.table.name).values(values),
    );
  }

  /** Sets a row's state; `executionMs` and `error` only when given. */
  setState(
    db: AnyKysely,
    version: number,
    change: { state: MigrationState; executionMs?: number; error?: string | null },
  ): TrackingWrite {
    return this.#db(db)
      .updateTable(this.table.name)
      .set({
        state: change.state,
        ...(change.executionMs !== undefined ? { execution_ms: change.executionMs } : {}),
        ...(change.error !== undefined ? { error: change.error } : {}),
      })
      .where('version', '=', version);
  }

  /** Records the last error of a non-transactional step, keeping its state (it stays dirty). */
  setError(db: AnyKysely, version: number, error: string): TrackingWrite {
    return this.#db(db).updateTable(this.table.name).set({ error }).where('version', '=', version);
  }

  setChecksum(db: AnyKysely, version: number, checksum: string): TrackingWrite {
    return this.#db(db).updateTable(this.table.name).set({ checksum }).where('version', '=', version);
  }

  remove(db: AnyKysely, version: number): TrackingWrite {
    return this.#db(db).deleteFrom(this.table.name).where('version', '=', version);
  }

  /**
   * The execution times of the newest `count` history rows, oldest first: what a
   * batch of steps (decision 0007) wrote, read back under the run's lock.
   */
  async recentExecutionMs(db: AnyKysely, count: number): Promise<number[]> {
    const rows = (await this.#db(db)
      .selectFrom(this.historyTable)
      .select(['execution_ms'])
      .orderBy('id', 'desc')
      .limit(count)
      .execute()) as { execution_ms: number | string | null }[];
    return rows.reverse().map((r) => Number(r.execution_ms ?? 0));
  }

  appendHistory(db: AnyKysely, entry: HistoryEntry): TrackingWrite {
    const values = {
      version: entry.version,
      name: entry.name,
      action: entry.action,
      checksum: entry.checksum ?? null,
      execution_ms: entry.executionMs ?? null,
      performed_by: this.#appliedBy,
      details: entry.details ?? null,
    };
    return this.#templates.write('history', Object.values(values), () =>
      this.#db(db).insertInto(this.historyTable).values(values),
    );
  }

  /** Runs writes one after another on `db` (a transaction or pinned connection). */
  async run(db: AnyKysely, ...writes: TrackingWrite[]): Promise<void> {
    for (const write of writes) await db.executeQuery(write.compile());
  }
}
