import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/dialects/postgres/embedded-server.ts';
import { DIALECTS } from '../support/databases.ts';
import { campaignSize } from './campaign-size.ts';
import { reportCampaign } from './support/campaign-report.ts';
import {
  connectionLoss,
  divergentFolders,
  downVersusLatest,
  hungSteps,
} from './support/wrong-state-campaigns.ts';

/**
 * #10's campaigns: concurrent down/latest and divergent folders (30 trials per
 * dialect), connection loss (20, PostgreSQL: terminated backend and server
 * restart), hung steps (10 per dialect). Sizes: KMIGRATE_DOWN_LATEST_TRIALS,
 * KMIGRATE_DIVERGENT_TRIALS, KMIGRATE_CONNECTION_LOSS_TRIALS, KMIGRATE_HUNG_TRIALS.
 */
const DOWN_LATEST = campaignSize('KMIGRATE_DOWN_LATEST_TRIALS', 30);
const DIVERGENT = campaignSize('KMIGRATE_DIVERGENT_TRIALS', 30);
const CONNECTION_LOSS = campaignSize('KMIGRATE_CONNECTION_LOSS_TRIALS', 20);
const HUNG = campaignSize('KMIGRATE_HUNG_TRIALS', 10);

for (const dialect of DIALECTS) {
  it(`down and latest at once: ${DOWN_LATEST} trials [${dialect}]`, async () => {
    const report = await downVersusLatest(dialect, DOWN_LATEST);
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });

  it(`divergent folders (003_bar vs 003_baz) at once: ${DIVERGENT} trials [${dialect}]`, async () => {
    const report = await divergentFolders(dialect, DIVERGENT);
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });

  it(`hung steps stopped by --step-timeout: ${HUNG} trials [${dialect}]`, async () => {
    const report = await hungSteps(dialect, HUNG);
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });
}

// Its own server: the campaign restarts it; the run's shared server stays up.
let server: EmbeddedServer | undefined;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ prefix: 'kmigrate-test-connloss-pg-' });
});
afterAll(async () => {
  await server?.stop();
});

it(`connection loss mid-step (terminated backend, server restart): ${CONNECTION_LOSS} trials [postgres]`, async () => {
  const report = await connectionLoss(server!, CONNECTION_LOSS);
  reportCampaign(report);
  expect(report.failureDetails).toEqual([]);
});
