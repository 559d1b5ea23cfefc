import { expect, it } from 'vitest';
import { campaignSize } from './campaign-size.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { runServerCrashCampaign } from './support/server-crash-campaign.ts';

/** 50 immediate shutdowns of the PostgreSQL server during a 30-migration run (KMIGRATE_SERVER_CRASH_TRIALS). */
const TRIALS = campaignSize('KMIGRATE_SERVER_CRASH_TRIALS', 50);

it(`server-crash campaign: ${TRIALS} immediate shutdowns during a 30-migration run [postgres]`, async () => {
  const report = await runServerCrashCampaign({ trials: TRIALS, random: SeededRandom.fromEnv() });
  reportCampaign(report);
  expect(report.failureDetails).toEqual([]);
});
