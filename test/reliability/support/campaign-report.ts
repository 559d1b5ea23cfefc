import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './temp-project.ts';

export interface CampaignReport {
  campaign: string;
  dialect: string;
  seed?: number;
  trials: number;
  failures: number;
  /** Outcome name → how many trials ended that way. */
  outcomes: Record<string, number>;
  durationMs: number;
  /** The first few failures, for the log. */
  failureDetails: string[];
  extra?: Record<string, unknown>;
}

/**
 * Prints a campaign's one-line summary (seed first, so a failure can be
 * replayed) and keeps the JSON under .kmigrate/reliability/ (git-ignored),
 * from which docs/reliability.md's table is written.
 */
export function reportCampaign(report: CampaignReport): void {
  const outcomes = Object.entries(report.outcomes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(
    `[reliability] ${report.campaign} [${report.dialect}]${report.seed !== undefined ? ` seed=${report.seed}` : ''}: ${report.trials} trials, ${report.failures} failures, ${Math.round(report.durationMs / 1000)} s; ${outcomes}`,
  );
  for (const detail of report.failureDetails) console.log(`[reliability]   failure: ${detail}`);
  const dir = path.join(REPO_ROOT, '.kmigrate', 'reliability');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.campaign}-${report.dialect}-${report.trials}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ ...report, at: new Date().toISOString() }, null, 2)}\n`);
}
