import { isSuppressibleRule } from './lint-rules.ts';

/**
 * `-- kmigrate-lint-ignore <rule>[, <rule>]: <reason>` in an SQL file, or
 * `// kmigrate-lint-ignore <rule>: <reason>` in a TypeScript module, silences
 * those rules for that one migration. The reason is mandatory: it is what a
 * reviewer reads instead of the finding.
 */
export interface Suppression {
  readonly rules: readonly string[];
  readonly reason: string;
  /** 1-based line of the comment. */
  readonly line: number;
}

export interface SuppressionProblem {
  readonly rule: 'lint-ignore-without-reason' | 'lint-ignore-unknown-rule';
  readonly line: number;
  readonly detail: string;
}

const MARKER = /(?:--|\/\/|\/\*)\s*kmigrate-lint-ignore(?![\w-])(.*)$/;
const BODY = /^\s*([A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)?\s*(?::(.*))?$/;

export function readSuppressions(fileText: string): {
  suppressions: Suppression[];
  problems: SuppressionProblem[];
} {
  const suppressions: Suppression[] = [];
  const problems: SuppressionProblem[] = [];
  for (const [index, text] of fileText.split('\n').entries()) {
    const marker = MARKER.exec(text);
    if (!marker) continue;
    const line = index + 1;
    const body = BODY.exec((marker[1] ?? '').replace(/\*\/\s*$/, ''));
    const rules = (body?.[1] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const reason = (body?.[2] ?? '').trim();
    if (!body || rules.length === 0) {
      problems.push({ rule: 'lint-ignore-without-reason', line, detail: 'it names no rule' });
      continue;
    }
    if (!reason) {
      problems.push({
        rule: 'lint-ignore-without-reason',
        line,
        detail: `\`${rules.join(', ')}\` stays active until a reason is given after a colon`,
      });
      continue;
    }
    const unknown = rules.filter((r) => !isSuppressibleRule(r));
    for (const rule of unknown) {
      problems.push({ rule: 'lint-ignore-unknown-rule', line, detail: `\`${rule}\`` });
    }
    const known = rules.filter((r) => isSuppressibleRule(r));
    if (known.length) suppressions.push({ rules: known, reason, line });
  }
  return { suppressions, problems };
}
