import { PostgresAdapter } from '../dialects/postgres/postgres-adapter.ts';
import type { LintUnit } from './lint-unit.ts';
import { isReadOnlyQuery } from './read-only-query.ts';
import { isTruncate, isVacuumFull } from './statement-tables.ts';

/** A finding of one of kmigrate's own rules: which statement of the unit it is about. */
export interface OwnFinding {
  readonly rule: 'ban-truncate' | 'ban-vacuum-full' | 'mixed-non-transactional';
  readonly statement: number;
}

const postgres = new PostgresAdapter();

/** Statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, …). */
export function needsNoTransaction(statement: string): boolean {
  return postgres.findNonTransactionalStatement(statement) !== undefined;
}

/** Rules squawk has no equivalent for: they look at one migration's statements and how it runs. */
export function checkKmigrateRules(unit: LintUnit): OwnFinding[] {
  const findings: OwnFinding[] = [];
  for (const [index, statement] of unit.statements.entries()) {
    if (isTruncate(statement.sql)) findings.push({ rule: 'ban-truncate', statement: index });
    if (isVacuumFull(statement.sql)) findings.push({ rule: 'ban-vacuum-full', statement: index });
  }
  if (!unit.transactional) {
    // SET/RESET only tune the session and a read-only query changes nothing:
    // neither can stay applied when a later statement fails.
    const significant = unit.statements
      .map((s, index) => ({ s, index }))
      .filter(({ s }) => !/^(set|reset)\b/i.test(s.sql.trim()) && !isReadOnlyQuery(s.sql));
    const ordinary = significant.filter(({ s }) => !needsNoTransaction(s.sql));
    if (significant.length > 1 && ordinary.length > 0) {
      findings.push({ rule: 'mixed-non-transactional', statement: ordinary[0]!.index });
    }
  }
  return findings;
}
