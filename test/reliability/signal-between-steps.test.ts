/**
 * #10 item 9, between steps: a signal while a run holds its lock but no step
 * runs must let the run end properly (on PostgreSQL its end flushes the commits
 * of the steps before), not end the process on the spot; without a held run
 * (reading, waiting for the lock) the process still ends at once. A real
 * process and real signals; the run's steps are the guard's own calls.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { spawnTs } from './support/ts-process.ts';

const script = path.join(import.meta.dirname, 'support', 'signal-between-steps.ts');

it('held run: the process lives on, the next step refuses to start, the run ends, exit 130', async () => {
  const p = spawnTs(script, ['held']);
  const exit = await p.exited;
  expect(exit.code, p.stderr()).toBe(130);
  expect(p.lines).toEqual(['alive after the signal', 'step 2 refused to start', 'run ended']);
  expect(p.stderr()).toBe('');
}, 60_000);

it('no run held (reading, waiting for the lock): one line and exit 130 at once', async () => {
  const p = spawnTs(script, ['free']);
  const exit = await p.exited;
  expect(exit.code).toBe(130);
  expect(p.lines).toEqual([]);
  expect(p.stderr()).toMatch(/^error: interrupted by SIGINT while no migration was running/);
}, 60_000);
