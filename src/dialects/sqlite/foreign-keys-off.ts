import type { SplitStatement } from '../../engine/statement-splitter.ts';
import { splitSqliteStatements } from './sqlite-statement-splitter.ts';

/** `PRAGMA foreign_keys = OFF` (or 0, false, no), as SQLite reads it. */
const FOREIGN_KEYS_OFF = /^pragma\s+(main\s*\.\s*)?foreign_keys\s*(=\s*|\(\s*)['"]?(off|0|false|no)\b/i;

/**
 * Whether a script turns foreign keys off: SQLite's table-rebuild procedure
 * (and Prisma's, drizzle's and Atlas's generated SQLite migrations) does, so
 * that dropping the old table neither cascades to nor is refused by its
 * children. Inside a transaction that PRAGMA does nothing, so the driver turns
 * foreign keys off before its BEGIN for such a script, and checks them
 * (PRAGMA foreign_key_check) before COMMIT, as SQLite's procedure does.
 */
export function turnsForeignKeysOff(script: string): boolean {
  return foreignKeysOffStatement(script) !== undefined;
}

/** The script's first `PRAGMA foreign_keys = OFF` statement, if any. */
export function foreignKeysOffStatement(script: string): SplitStatement | undefined {
  if (!/foreign_keys/i.test(script)) return undefined;
  return splitSqliteStatements(script).find((s) => FOREIGN_KEYS_OFF.test(s.sql.trim()));
}
