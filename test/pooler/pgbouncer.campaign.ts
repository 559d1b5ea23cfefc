import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { campaignSize } from '../reliability/campaign-size.ts';
import { reportCampaign } from '../reliability/support/campaign-report.ts';
import { runConcurrencyCampaign } from '../reliability/support/concurrency-campaign.ts';
import { type PgBouncer, pgbouncerTool, startPgBouncer } from '../support/pgbouncer.ts';

/** The concurrency campaign behind PgBouncer (transaction mode, pool of 4): 16 processes × 50 trials. */
const TRIALS = campaignSize('KMIGRATE_CONCURRENCY_TRIALS', 50);
const PROCESSES = campaignSize('KMIGRATE_CONCURRENCY_PROCESSES', 16);

// Skipped only where pgbouncer is not installed; CI sets KMIGRATE_REQUIRE_PGBOUNCER=1 (a failure then).
describe.skipIf(!pgbouncerTool().available)('PgBouncer campaign', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ upstreamUrl: inject('pgAdminUrl'), poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it(`concurrency campaign behind PgBouncer: ${PROCESSES} processes × ${TRIALS} trials [postgres]`, async () => {
    const report = await runConcurrencyCampaign({
      campaign: 'concurrency-pgbouncer',
      dialect: 'postgres',
      trials: TRIALS,
      processes: PROCESSES,
      urlFor: (db) => bouncer.urlFor(new URL(db.url).pathname.slice(1), { params: 'pgbouncer=true' }),
    });
    reportCampaign(report);
    expect(report.failureDetails).toEqual([]);
  });
});
