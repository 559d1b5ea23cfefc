import { expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { runConcurrencyCampaign } from './support/concurrency-campaign.ts';

/** The quick subset of concurrency.campaign.ts: 8 processes × 2 trials per dialect. */
for (const dialect of DIALECTS) {
  it(`concurrency: 8 processes run latest at once; each migration applied exactly once [${dialect}]`, async () => {
    const report = await runConcurrencyCampaign({
      campaign: 'concurrency',
      dialect,
      trials: 2,
      processes: 8,
    });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  }, 300_000);
}
