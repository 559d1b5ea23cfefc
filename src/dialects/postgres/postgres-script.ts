import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import { lineAndColumn, ScriptError } from '../../engine/script-error.ts';
import { unwrapTransaction } from '../unwrap-transaction.ts';
import { describePostgresError } from './postgres-error-info.ts';
import { splitPostgresStatements } from './postgres-statement-splitter.ts';

/**
 * Runs a migration's SQL file. In a transaction the whole file goes as one
 * simple-protocol query (PostgreSQL parses it), after the driver's `opening`
 * when it has one waiting (one round trip for both); outside one, statement by
 * statement. A failure becomes a ScriptError with the file's line and statement.
 */
export async function executePostgresScript(
  conn: AnyKysely,
  script: string,
  options: { inTransaction: boolean; opening?: string; closing?: string },
): Promise<void> {
  if (options.inTransaction) {
    script = unwrapTransaction(script, splitPostgresStatements);
    // On a line of its own: a script starting with `--` must not comment out the opening's end.
    const prefix = options.opening === undefined ? '' : `${options.opening};\n`;
    try {
      await sql.raw(prefix + script + (options.closing ?? '')).execute(conn);
    } catch (error) {
      throw scriptError(error, script, -prefix.length, script);
    }
    return;
  }
  // Outside a transaction a multi-statement query would still be an implicit
  // transaction block, which CREATE INDEX CONCURRENTLY refuses: send one by one.
  for (const statement of splitPostgresStatements(script)) {
    try {
      await sql.raw(statement.sql).execute(conn);
    } catch (error) {
      throw scriptError(error, statement.sql, statement.offset, script);
    }
  }
}

/** Maps an error position inside `sent` (which starts at `offset` in `script`) to line and statement. */
export function scriptError(error: unknown, sent: string, offset: number, script: string): ScriptError {
  const info = describePostgresError(error);
  // A negative offset: `sent` began with that many characters of ours (an error there has no place in the file).
  const position = info.position !== undefined ? offset + info.position - 1 : undefined;
  // Past the script's end: in the driver's closing (ours too).
  const at = position !== undefined && position >= 0 && position <= script.length ? position : undefined;
  let statement: string | undefined;
  let location: { line: number; column: number } | undefined;
  if (at !== undefined) {
    location = lineAndColumn(script, at);
    const hit = splitPostgresStatements(script).find((s) => at >= s.offset && at <= s.offset + s.sql.length);
    statement = hit?.sql;
  } else if (sent !== script) {
    location = lineAndColumn(script, offset);
    statement = sent;
  }
  return new ScriptError(info, { ...location, ...(statement ? { statement } : {}) }, { cause: error });
}
