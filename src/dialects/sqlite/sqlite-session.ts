import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';

/**
 * Connection settings a migration may change with a PRAGMA and that would
 * otherwise leak into the next one (one run of N must equal N runs of 1). They
 * are read once, before the first step, and restored before every step and
 * after it. foreign_keys can only change outside a transaction, so only a
 * non-transactional step can move it; the others can change anywhere.
 */
const SESSION_PRAGMAS = [
  'foreign_keys',
  'recursive_triggers',
  'legacy_alter_table',
  'ignore_check_constraints',
  'reverse_unordered_selects',
  'query_only',
  'trusted_schema',
] as const;

/** One connection's session pragmas as they were before its first step, restored before and after each. */
export class SqliteSessionDefaults {
  #defaults: string | undefined;

  /**
   * Restores SESSION_PRAGMAS to the values the connection had before the first
   * step (and sets `extra` pragmas), in one native call when we hold the handle:
   * it runs twice per step, so it must cost next to nothing.
   */
  async reset(
    conn: AnyKysely,
    handle: Pick<Database.Database, 'exec'> | undefined,
    extra: readonly string[],
  ): Promise<void> {
    if (this.#defaults === undefined) {
      const values: string[] = [];
      for (const pragma of SESSION_PRAGMAS) {
        const { rows } = await sql.raw<Record<string, unknown>>(`pragma ${pragma}`).execute(conn);
        const value = rows[0] ? Object.values(rows[0])[0] : undefined;
        if (value !== undefined) values.push(`pragma ${pragma} = ${Number(value)}`);
      }
      this.#defaults = values.join('; ');
    }
    const statements = [...this.#defaults.split('; '), ...extra].filter(Boolean);
    if (handle) {
      handle.exec(statements.join(';\n'));
      return;
    }
    for (const statement of statements) await sql.raw(statement).execute(conn);
  }
}

/**
 * fsync of `<file>-wal`: what synchronous = FULL does at a commit, once for a
 * whole run. No WAL file (nothing written, or checkpointed away): nothing to do.
 */
export function syncWal(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`${file}-wal`, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
