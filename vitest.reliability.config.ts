import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the long campaigns (test/**\/*.campaign.ts),
 * one file at a time (each already runs many processes in parallel on 2 cores).
 * Their quick subsets are ordinary *.test.ts files and run in `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.campaign.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
