import { expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { campaignSize } from './campaign-size.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { runCrashCampaign } from './support/crash-campaign.ts';
import { SeededRandom } from './support/seeded-random.ts';

/**
 * The signal campaign (#10 item 9): the crash campaign's 30-migration run (one
 * non-transactional step) through the embedding API, stopped with SIGINT or
 * SIGTERM (alternating) at a random moment instead of SIGKILL. Per trial: exit
 * 130/143 (0 when it had finished), no session or lock left within 5 s, the
 * database clean at some version or dirty exactly at the non-transactional
 * step (an INVALID index named in its row), and force/latest reach a clean
 * run's schema and rows. KMIGRATE_SIGNAL_TRIALS per dialect and signal.
 */
const TRIALS = campaignSize('KMIGRATE_SIGNAL_TRIALS', 25);

for (const dialect of DIALECTS) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`signal campaign: ${TRIALS} × ${signal} during a 30-migration run [${dialect}]`, async () => {
      const report = await runCrashCampaign({
        dialect,
        trials: TRIALS,
        random: SeededRandom.fromEnv(),
        signal,
      });
      reportCampaign(report);
      expect(report.failureDetails).toEqual([]);
    });
  }
}
