import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseTarget } from '../config/database-url.ts';
import type { LockOptions } from '../engine/dialect-adapter.ts';
import type { TrackingTable } from '../engine/types.ts';
import { openDatabase } from './open-database.ts';
import { dropPostgresSchema, emptyPostgresSchema } from './postgres/postgres-reset.ts';

export interface ResetOptions {
  /** The configured schema (tracking table's): emptied, kept with its grants. PostgreSQL only. */
  schema: string;
  /** Further schemas the migrations create: dropped. Never Supabase-managed ones (the caller checks). */
  extraSchemas: readonly string[];
  table: TrackingTable;
  lock: LockOptions;
  connectTimeoutMs?: number;
  /** Only say what would be dropped. */
  dryRun?: boolean;
}

/** What a reset removed: SQLite files, or PostgreSQL objects per schema. */
export type ResetOutcome =
  | { dialect: 'sqlite'; removedFiles: string[] }
  | { dialect: 'postgres'; emptied: string; objects: number; droppedSchemas: string[] };

/** What a reset of `target` drops, in words, for the confirmation: the file, or the schemas' content. */
export function describeResetScope(target: DatabaseTarget, schemas: readonly string[]): string {
  return target.dialect === 'sqlite' ? 'the database file' : `everything in schema ${schemas.join(', ')}`;
}

/** One line saying what a reset removed (or, dryRun, would remove); files relative to `cwd`. */
export function describeReset(outcome: ResetOutcome, options: { dryRun: boolean; cwd: string }): string {
  const would = options.dryRun ? 'Dry run: would remove' : 'Removed';
  if (outcome.dialect === 'sqlite') {
    const files = outcome.removedFiles.map((f) => path.relative(options.cwd, f) || f);
    return files.length ? `${would} ${files.join(', ')}.` : 'No SQLite file to remove.';
  }
  const n = outcome.droppedSchemas.length;
  const extra = n ? ` and schema${n === 1 ? '' : 's'} ${outcome.droppedSchemas.join(', ')}` : '';
  return `${would} ${outcome.objects} object${outcome.objects === 1 ? '' : 's'} from schema ${outcome.emptied} (kept, with its grants)${extra}.`;
}

/** The SQLite companions a database leaves next to its file (ours: the migration lock file and its holder note). */
export const SQLITE_COMPANIONS = [
  '-wal',
  '-shm',
  '-journal',
  '.kmigrate-lock',
  '.kmigrate-lock.holder',
] as const;

/**
 * Drops what kmigrate owns, so the migrations can build it again:
 * SQLite: the database file and its companions. PostgreSQL: everything in the
 * configured schema (in one transaction under the migration lock) and the
 * extra schemas. Callers refuse production and remote hosts first.
 */
export async function resetDatabase(target: DatabaseTarget, options: ResetOptions): Promise<ResetOutcome> {
  if (target.dialect === 'sqlite') {
    if (target.filename === ':memory:') return { dialect: 'sqlite', removedFiles: [] };
    const files = [
      target.filename,
      ...SQLITE_COMPANIONS.map((suffix) => `${target.filename}${suffix}`),
    ].filter((f) => fs.existsSync(f));
    if (!options.dryRun) for (const f of files) fs.rmSync(f, { force: true });
    return { dialect: 'sqlite', removedFiles: files };
  }
  const database = await openDatabase(target, {
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  try {
    const run = async () =>
      database.adapter
        .runLocked(database.db, options.table, options.lock, undefined, async (trx) => {
          const objects = await emptyPostgresSchema(trx, options.schema);
          for (const s of options.extraSchemas) await dropPostgresSchema(trx, s);
          if (options.dryRun) throw new DryRunRollback(objects);
          return objects;
        })
        // Without a guard a locked run always runs.
        .then((outcome) => (outcome.ran ? outcome.value : 0));
    let objects: number;
    try {
      objects = await run();
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      objects = error.objects;
    }
    return {
      dialect: 'postgres',
      emptied: options.schema,
      objects,
      droppedSchemas: [...options.extraSchemas],
    };
  } finally {
    await database.close();
  }
}

/** A dry run does the drops to count them, then rolls them back. */
class DryRunRollback extends Error {
  constructor(readonly objects: number) {
    super('dry run');
  }
}
