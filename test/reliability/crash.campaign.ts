import { expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { campaignSize } from './campaign-size.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { runCrashCampaign } from './support/crash-campaign.ts';
import { SeededRandom } from './support/seeded-random.ts';

/** The crash campaign: 100 kill -9 trials per dialect (KMIGRATE_CRASH_TRIALS), seed printed (KMIGRATE_SEED replays). */
const TRIALS = campaignSize('KMIGRATE_CRASH_TRIALS', 100);

for (const dialect of DIALECTS) {
  it(`crash campaign: ${TRIALS} kills during a 30-migration run [${dialect}]`, async () => {
    const report = await runCrashCampaign({ dialect, trials: TRIALS, random: SeededRandom.fromEnv() });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });
}
