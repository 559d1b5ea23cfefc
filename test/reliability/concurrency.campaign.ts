import { expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { campaignSize } from './campaign-size.ts';
import { reportCampaign } from './support/campaign-report.ts';
import { runConcurrencyCampaign } from './support/concurrency-campaign.ts';

/** The concurrency campaign: 16 processes × 50 trials per dialect (KMIGRATE_CONCURRENCY_TRIALS / _PROCESSES). */
const TRIALS = campaignSize('KMIGRATE_CONCURRENCY_TRIALS', 50);
const PROCESSES = campaignSize('KMIGRATE_CONCURRENCY_PROCESSES', 16);
/** The same with the non-transactional migration in the set (see docs/reliability.md, "Known failures"). */
const NON_TX_TRIALS = campaignSize('KMIGRATE_CONCURRENCY_NONTX_TRIALS', 10);

for (const dialect of DIALECTS) {
  it(`concurrency campaign: ${PROCESSES} processes × ${TRIALS} trials, transactional migrations [${dialect}]`, async () => {
    const report = await runConcurrencyCampaign({
      campaign: 'concurrency',
      dialect,
      trials: TRIALS,
      processes: PROCESSES,
    });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });

  it(`concurrency campaign: ${PROCESSES} processes × ${NON_TX_TRIALS} trials, with a non-transactional migration [${dialect}]`, async () => {
    const report = await runConcurrencyCampaign({
      campaign: 'concurrency-nontx',
      dialect,
      trials: NON_TX_TRIALS,
      processes: PROCESSES,
      nonTransactionalAt: 17,
    });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });
}
