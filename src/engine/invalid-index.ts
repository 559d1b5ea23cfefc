import { adviceCommand } from './advice.ts';
import type { AnyKysely } from './any-kysely.ts';
import type { DialectAdapter } from './dialect-adapter.ts';
import { MigrationFailedError } from './errors.ts';
import type { InvalidIndex } from './invalid-index-type.ts';

export type { InvalidIndex } from './invalid-index-type.ts';

/** The exact statement that removes it without blocking writes. */
export function dropInvalidIndexSql(index: Pick<InvalidIndex, 'schema' | 'name'>): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(index.schema)}.${quoteIdent(index.name)};`;
}

/** `"schema"."name"`, for messages. */
export function invalidIndexLabel(index: Pick<InvalidIndex, 'schema' | 'name'>): string {
  return `${quoteIdent(index.schema)}.${quoteIdent(index.name)}`;
}

/**
 * The invalid indexes on `conn` now, for a non-transactional step to compare
 * with after a failure. A driver without the notion (SQLite) has none; a
 * failing read (the connection died with the step) counts as none too, since
 * the failure itself is what gets reported.
 */
export async function readInvalidIndexes(
  adapter: DialectAdapter,
  conn: AnyKysely,
  schemas?: readonly string[],
): Promise<InvalidIndex[]> {
  if (!adapter.invalidIndexes) return [];
  try {
    return await adapter.invalidIndexes(conn, schemas);
  } catch {
    return [];
  }
}

/** The invalid indexes that exist now and did not before the step: the ones it left. */
export async function invalidIndexesLeft(
  adapter: DialectAdapter,
  conn: AnyKysely,
  before: readonly InvalidIndex[],
): Promise<InvalidIndex[]> {
  if (!adapter.invalidIndexes) return [];
  const known = new Set(before.map(invalidIndexLabel));
  return (await readInvalidIndexes(adapter, conn)).filter((i) => !known.has(invalidIndexLabel(i)));
}

/**
 * What a human does after a non-transactional step left the database dirty:
 * with INVALID indexes (a failed or cancelled CREATE INDEX CONCURRENTLY), drop
 * them first — a rerun would fail on "already exists" — then forget the step
 * and run again.
 */
export function dirtyAdvice(version: number, invalid: readonly InvalidIndex[]): string {
  if (!invalid.length)
    return `the database is now dirty at ${version}; inspect it, then run \`${adviceCommand(`force ${version}`)}\` or \`${adviceCommand(`force ${version} --not-applied`)}\``;
  const names = invalid.map(invalidIndexLabel).join(', ');
  const drops = invalid.map((i) => `\`${dropInvalidIndexSql(i)}\``).join(', ');
  return `it left the INVALID index${invalid.length > 1 ? 'es' : ''} ${names} and the database is now dirty at ${version}; run ${drops}, then \`${adviceCommand(`force ${version} --not-applied`)}\` and, once the cause is fixed, \`${adviceCommand('latest')}\``;
}

/**
 * A non-transactional step failed and left INVALID indexes behind (PostgreSQL
 * keeps the half-built index of a failed CREATE INDEX CONCURRENTLY). The same
 * failure as MigrationFailedError, whose message names them and the exact
 * cleanup instead of the generic dirty advice.
 */
export class InvalidIndexLeftError extends MigrationFailedError {
  constructor(
    failed: MigrationFailedError,
    readonly invalidIndexes: readonly InvalidIndex[],
  ) {
    super(failed.version, failed.migrationName, failed.file, failed.direction, failed.databaseMessage, {
      ...failed.details,
      rolledBack: false,
    });
    const generic = `; ${dirtyAdvice(failed.version, [])}`;
    const at = this.message.lastIndexOf(generic);
    const head = at >= 0 ? this.message.slice(0, at) : this.message;
    this.message = `${head}; ${dirtyAdvice(failed.version, invalidIndexes)}`;
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
