import { adviceCommand } from '../engine/advice.ts';
/**
 * The rule catalogue: squawk's rules with the severity we give them, plus
 * kmigrate's own rules for what squawk cannot see (it lints one file at a
 * time and knows nothing of our transaction and no-transaction rules).
 *
 * error: blocks a deploy (lint exits 3). warning: printed, exit 0.
 * existingTableOnly: only a problem on a table that already holds data, so a
 * finding is dropped when the statement's table was created earlier in the
 * migrations being linted (squawk only knows this within one file).
 */
export type Severity = 'error' | 'warning';

export interface RuleInfo {
  readonly severity: Severity;
  readonly source: 'squawk' | 'kmigrate';
  readonly existingTableOnly?: boolean;
  /** kmigrate's own rules: what the finding says and what to do. */
  readonly message?: string;
  readonly help?: string;
}

const squawk = (severity: Severity, existingTableOnly = false): RuleInfo => ({
  severity,
  source: 'squawk',
  ...(existingTableOnly ? { existingTableOnly } : {}),
});

/**
 * The engine already sets lock_timeout and statement_timeout around every
 * migration (config statementLockTimeoutMs / statementTimeoutMs), so squawk's
 * "set a timeout first" rules would only be noise.
 */
export const SQUAWK_EXCLUDED_RULES = [
  'require-lock-timeout',
  'require-statement-timeout',
  'require-timeout-settings',
] as const;

export const RULES: Readonly<Record<string, RuleInfo>> = {
  // Locks or rewrites a table that has rows: writes (or reads) wait for as long as it takes.
  'require-concurrent-index-creation': squawk('error', true),
  'adding-required-field': squawk('error', true),
  'adding-not-nullable-field': squawk('error', true),
  'adding-field-with-default': squawk('error', true),
  'adding-serial-primary-key-field': squawk('error', true),
  'adding-foreign-key-constraint': squawk('error', true),
  'changing-column-type': squawk('error', true),
  'constraint-missing-not-valid': squawk('error', true),
  'disallowed-unique-constraint': squawk('error', true),
  // Breaks the application version that is still running during the deploy, or loses data.
  'ban-drop-table': squawk('error', true),
  'ban-drop-column': squawk('error', true),
  'renaming-table': squawk('error', true),
  'renaming-column': squawk('error', true),
  'ban-drop-database': squawk('error'),
  'ban-truncate-cascade': squawk('error'),
  // Would fail, or break the engine's own transaction handling.
  'ban-concurrent-index-creation-in-transaction': squawk('error'),
  'ban-uncommitted-transaction': squawk('error'),
  'transaction-nesting': squawk('error'),
  'ban-duplicate-column-assignments': squawk('error'),
  'syntax-error': squawk('error'),
  // Worth a look, not worth blocking a deploy.
  'require-concurrent-index-deletion': squawk('warning'),
  'require-concurrent-reindex': squawk('warning'),
  'require-concurrent-partition-detach': squawk('warning'),
  'ban-drop-not-null': squawk('warning'),
  'ban-alter-domain-with-add-constraint': squawk('warning'),
  'ban-create-domain-with-constraint': squawk('warning'),
  'ban-char-field': squawk('warning'),
  'prefer-robust-stmts': squawk('warning'),
  'prefer-bigint-over-int': squawk('warning'),
  'prefer-bigint-over-smallint': squawk('warning'),
  'prefer-identity': squawk('warning'),
  'prefer-text-field': squawk('warning'),
  'prefer-timestamp-tz': squawk('warning'),
  'require-enum-value-ordering': squawk('warning'),
  'identifier-too-long': squawk('warning'),

  // kmigrate's own rules.
  'ban-truncate': {
    severity: 'error',
    source: 'kmigrate',
    existingTableOnly: true,
    message: 'TRUNCATE deletes every row and takes an ACCESS EXCLUSIVE lock',
    help: 'delete the rows you mean in a data migration, or suppress with a reason',
  },
  'ban-vacuum-full': {
    severity: 'error',
    source: 'kmigrate',
    existingTableOnly: true,
    message: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock (no reads, no writes)',
    help: 'run it in a maintenance window outside migrations, or use pg_repack',
  },
  'mixed-non-transactional': {
    severity: 'error',
    source: 'kmigrate',
    message:
      'this migration runs outside a transaction and mixes statements: if one fails, the ones before it stay applied and the database is left dirty',
    help: 'give each CONCURRENTLY statement its own migration and keep the other statements in a transactional one',
  },
  'lint-ignore-without-reason': {
    severity: 'error',
    source: 'kmigrate',
    message: 'a kmigrate-lint-ignore comment needs a reason',
    help: 'write `kmigrate-lint-ignore <rule>: <why this is safe>`',
  },
  'lint-ignore-unknown-rule': {
    severity: 'error',
    source: 'kmigrate',
    message: 'kmigrate-lint-ignore names a rule that does not exist',
    help: `check the spelling; \`${adviceCommand('lint --json')}\` lists rule names`,
  },
  'lint-ignore-unused': {
    severity: 'warning',
    source: 'kmigrate',
    message: 'kmigrate-lint-ignore suppresses a rule that found nothing in this migration',
    help: 'remove the comment',
  },
};

/** Rules a kmigrate-lint-ignore comment may name (not the ones about the comments themselves). */
export function isSuppressibleRule(rule: string): boolean {
  return rule in RULES && !rule.startsWith('lint-ignore-') && rule !== 'syntax-error';
}

/** A squawk rule we have not classified (a newer squawk) is reported as a warning. */
export function ruleInfo(rule: string): RuleInfo {
  return RULES[rule] ?? { severity: 'warning', source: 'squawk' };
}
