import { MigrateError } from './errors.ts';

/**
 * The tracking tables as the catalog describes them, checked before a run
 * writes to them (#10 item 15). Hand-altered tables — a column dropped, the
 * history table dropped, `version` turned into text, its primary key dropped
 * (duplicate rows follow) — would otherwise take rows that lie: a history
 * insert fails after the migration committed, text versions sort '10' < '2',
 * a second row for one version makes the plan guess. Refused instead, naming
 * the table, the column and the statement that restores it. The repeatables'
 * table (`<table>_repeatables`, made with the first repeatable) is checked
 * the same way when it exists: its columns, and `name` as its key.
 */

/** What a column holds, as far as kmigrate cares. */
export type ColumnKind = 'integer' | 'text' | 'timestamp';

/** One table's columns and keys, as a driver reads them from its catalog. */
export interface TableShape {
  /** Column name → declared type (as the catalog spells it), for every column. */
  readonly columns: ReadonlyMap<string, string>;
  /** The columns that alone are a primary key or have a unique index of their own. */
  readonly uniqueColumns: ReadonlySet<string>;
}

/** The three tables; undefined when a table does not exist. */
export interface TrackingShape {
  readonly tracking: TableShape | undefined;
  readonly history: TableShape | undefined;
  readonly repeatables: TableShape | undefined;
}

/** How a driver reads its own type names, and spells the fixes in its SQL. */
export interface TrackingShapeDialect {
  /** Whether a column declared `declaredType` holds `kind` (SQLite: by type affinity). */
  matches(declaredType: string, kind: ColumnKind): boolean;
  /** The statement that gives a column back. */
  addColumn(table: string, column: string, kind: ColumnKind, notNull: boolean): string;
  /** The statement that changes a column's type in place, or undefined when the dialect cannot. */
  changeType(table: string, column: string, kind: ColumnKind): string | undefined;
  /** The statement that makes `column` (version, or a repeatable's name) unique again. */
  unique(table: string, column: string): string;
  /** The CREATE TABLE of the history table of tracking table `table`, on one line. */
  createHistory(table: string): string;
}

/** What a driver returns: the catalog's view, and its SQL for the fixes. */
export interface TrackingShapeReading {
  readonly shape: TrackingShape;
  readonly sql: TrackingShapeDialect;
}

interface ExpectedColumn {
  readonly kind: ColumnKind;
  readonly notNull: boolean;
}

const TRACKING_COLUMNS: Readonly<Record<string, ExpectedColumn>> = {
  version: { kind: 'integer', notNull: true },
  name: { kind: 'text', notNull: true },
  checksum: { kind: 'text', notNull: true },
  state: { kind: 'text', notNull: true },
  applied_at: { kind: 'timestamp', notNull: true },
  execution_ms: { kind: 'integer', notNull: true },
  applied_by: { kind: 'text', notNull: true },
  error: { kind: 'text', notNull: false },
};

const REPEATABLE_COLUMNS: Readonly<Record<string, ExpectedColumn>> = {
  name: { kind: 'text', notNull: true },
  checksum: { kind: 'text', notNull: true },
  applied_at: { kind: 'timestamp', notNull: true },
  execution_ms: { kind: 'integer', notNull: true },
  applied_by: { kind: 'text', notNull: true },
};

const HISTORY_COLUMNS: Readonly<Record<string, ExpectedColumn>> = {
  id: { kind: 'integer', notNull: true },
  version: { kind: 'integer', notNull: true },
  name: { kind: 'text', notNull: true },
  action: { kind: 'text', notNull: true },
  checksum: { kind: 'text', notNull: false },
  execution_ms: { kind: 'integer', notNull: false },
  performed_at: { kind: 'timestamp', notNull: true },
  performed_by: { kind: 'text', notNull: true },
  details: { kind: 'text', notNull: false },
};

/** A tracking or history table that kmigrate did not leave that way: nothing is written (exit 4). */
export class TrackingShapeError extends MigrateError {
  override readonly name = 'TrackingShapeError';
  readonly exitCode = 4;
  constructor(
    readonly table: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(
      `tracking table ${table} ${problem}, so kmigrate would write wrong rows and changed nothing; ${fix}`,
    );
  }
}

/**
 * Throws TrackingShapeError for the first problem found, tracking table first.
 * `label(table)` is how the user names a table (schema.name where there are schemas).
 */
export function assertTrackingShape(
  shape: TrackingShape,
  names: { tracking: string; history: string; repeatables: string },
  dialect: TrackingShapeDialect,
  label: (table: string) => string,
): void {
  if (!shape.tracking) return; // Not created yet: the run creates both tables.
  checkTable(shape.tracking, names.tracking, TRACKING_COLUMNS, dialect, label);
  checkKey(shape.tracking, names.tracking, 'version', 'one version', dialect, label);
  if (!shape.history) {
    throw new TrackingShapeError(
      label(names.history),
      'is missing (dropped by hand?): every up, down, force and repair appends to it',
      `restore it from a backup, or recreate it empty (its earlier entries are lost): \`${dialect.createHistory(names.tracking)}\``,
    );
  }
  checkTable(shape.history, names.history, HISTORY_COLUMNS, dialect, label);
  // Made with the first repeatable migration: absent is fine, altered is not.
  if (shape.repeatables) {
    checkTable(shape.repeatables, names.repeatables, REPEATABLE_COLUMNS, dialect, label);
    checkKey(shape.repeatables, names.repeatables, 'name', 'one repeatable', dialect, label);
  }
}

function checkKey(
  table: TableShape,
  name: string,
  column: string,
  what: string,
  dialect: TrackingShapeDialect,
  label: (table: string) => string,
): void {
  if (table.uniqueColumns.has(column)) return;
  throw new TrackingShapeError(
    label(name),
    `has lost the primary key on ${column} (dropped by hand?), so ${what} can have several rows`,
    `delete the duplicate rows, then run \`${dialect.unique(name, column)}\``,
  );
}

function checkTable(
  table: TableShape,
  name: string,
  expected: Readonly<Record<string, ExpectedColumn>>,
  dialect: TrackingShapeDialect,
  label: (table: string) => string,
): void {
  for (const [column, want] of Object.entries(expected)) {
    const declared = table.columns.get(column);
    if (declared === undefined) {
      throw new TrackingShapeError(
        label(name),
        `has no column ${column} (dropped by hand?)`,
        `add it back: \`${dialect.addColumn(name, column, want.kind, want.notNull)}\``,
      );
    }
    if (!dialect.matches(declared, want.kind)) {
      const change = dialect.changeType(name, column, want.kind);
      throw new TrackingShapeError(
        label(name),
        `column ${column} is ${declared || 'untyped'}, not ${want.kind} (changed by hand?)`,
        change
          ? `change it back: \`${change}\``
          : `rebuild the table with ${column} as ${want.kind} and copy its rows over (SQLite cannot change a column's type in place)`,
      );
    }
  }
}
