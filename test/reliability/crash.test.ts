import { expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { runCrashCampaign } from './support/crash-campaign.ts';
import { SeededRandom } from './support/seeded-random.ts';

/** The quick subset of crash.campaign.ts (5 kills per dialect); KMIGRATE_SEED replays one. */
const TRIALS = 5;

for (const dialect of DIALECTS) {
  it(`crash: kill -9 during a 30-migration run, then force/latest reach a clean run's schema [${dialect}]`, async () => {
    const random = SeededRandom.fromEnv();
    const report = await runCrashCampaign({ dialect, trials: TRIALS, random });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
    expect(report.trials).toBe(TRIALS);
  }, 300_000);
}
