import type { DatabaseTarget } from '../config/database-url.ts';
import type { AnyKysely } from '../engine/any-kysely.ts';
import type { TrackingTable } from '../engine/types.ts';

/** The current schema of a live database as one migration: SQL that builds it, and SQL that removes it. */
export interface SchemaDump {
  up: string;
  down: string;
  /** How many objects (tables, views, …) the dump holds; 0 means an empty database. */
  objects: number;
  /** What produced it, for the migration's header comment (e.g. "pg_dump 17.2"). */
  source: string;
}

export interface SchemaDumpOptions {
  target: DatabaseTarget;
  db: AnyKysely;
  /** Left out, with its `<name>_history` table. */
  trackingTable: TrackingTable;
  env?: NodeJS.ProcessEnv;
}
