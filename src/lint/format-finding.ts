import type { LintFinding } from './lint-migrations.ts';

/** `file:line rule: severity: message (help)`: one line, clickable in editors and CI logs. */
export function formatFinding(finding: LintFinding): string {
  const help = finding.help ? ` (${finding.help})` : '';
  return `${finding.file}:${finding.line} ${finding.rule}: ${finding.severity}: ${oneLine(finding.message)}${help}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
