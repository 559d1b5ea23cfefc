/**
 * The server-crash campaign's quick subset (the campaign: server-crash.campaign.ts,
 * 50 trials). A PostgreSQL immediate shutdown with the WAL writer slowed to 10 s:
 *  - right after a run exited 0: all 30 migrations are still there after crash
 *    recovery (the run's end made its asynchronous step commits durable);
 *  - during a run: the database keeps whole migrations only, tracking rows and
 *    schema agree, the process does not exit 0 with work lost, and force/latest recover.
 */
import { expect, it } from 'vitest';
import { reportCampaign } from './support/campaign-report.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { runServerCrashCampaign } from './support/server-crash-campaign.ts';

it('a PostgreSQL crash right after exit 0 loses nothing; a crash mid-run keeps whole migrations only', async () => {
  const report = await runServerCrashCampaign({
    trials: 2,
    random: SeededRandom.fromEnv(),
    kinds: ['after-success', 'mid-run'],
  });
  reportCampaign(report);
  expect(report.failureDetails).toEqual([]);
  expect(report.outcomes['crash-after-exit-0-kept-all']).toBe(1);
}, 300_000);
