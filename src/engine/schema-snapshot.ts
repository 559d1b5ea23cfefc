/**
 * A dialect-neutral picture of a database schema, as drift and verify compare
 * it. Adapters build it from their catalogs (see snapshotSchema in
 * dialect-adapter.ts); the engine only sorts and diffs it. Everything that
 * differs between two builds of the same migrations (OIDs, row counts,
 * sequence positions, physical column numbers) is left out on purpose.
 */

/** A property value: plain JSON, so a snapshot can be printed, stored and compared as is. */
export type SnapshotValue = string | number | boolean | null | readonly string[];

export type SchemaObjectKind =
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'enum'
  | 'sequence'
  | 'view'
  | 'function'
  | 'trigger'
  | 'policy';

/** The order objects are sorted (and reported) in: containers before what they contain. */
export const SCHEMA_OBJECT_KINDS: readonly SchemaObjectKind[] = [
  'table',
  'column',
  'constraint',
  'index',
  'enum',
  'sequence',
  'view',
  'function',
  'trigger',
  'policy',
];

export interface SchemaObject {
  readonly kind: SchemaObjectKind;
  /**
   * Unique within its kind. PostgreSQL names are schema-qualified
   * (`public.users`, column `public.users.email`, function `public.f(integer)`);
   * SQLite has one schema, so its names are not.
   */
  readonly name: string;
  /** The table or view the object belongs to (columns, constraints, indexes, triggers, policies). */
  readonly table?: string;
  /** What is compared. Absent and null mean the same. */
  readonly properties: Readonly<Record<string, SnapshotValue>>;
}

export interface SchemaSnapshot {
  /** The driver's dialect name (DialectAdapter.dialect), for labels such as the schema file's header. */
  readonly dialect: string;
  /** The schemas that were read (SQLite: `main`). */
  readonly schemas: readonly string[];
  /** Sorted by kind (SCHEMA_OBJECT_KINDS order), then name. */
  readonly objects: readonly SchemaObject[];
}

export interface SnapshotOptions {
  /** PostgreSQL schemas to read; ignored by SQLite. Managed schemas are never read. */
  readonly schemas: readonly string[];
  /** Table names left out with everything they own (the tracking tables). */
  readonly excludeTables: readonly string[];
}

/** Builds a snapshot with its objects in canonical order, so equal schemas give equal snapshots. */
export function createSnapshot(
  dialect: SchemaSnapshot['dialect'],
  schemas: readonly string[],
  objects: readonly SchemaObject[],
): SchemaSnapshot {
  return { dialect, schemas: [...schemas].sort(), objects: [...objects].sort(compareObjects) };
}

export function compareObjects(
  a: Pick<SchemaObject, 'kind' | 'name'>,
  b: Pick<SchemaObject, 'kind' | 'name'>,
): number {
  const byKind = SCHEMA_OBJECT_KINDS.indexOf(a.kind) - SCHEMA_OBJECT_KINDS.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
