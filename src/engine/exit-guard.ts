import fs from 'node:fs';
import { adviceCommand } from './advice.ts';
import { signalGuard } from './signal-guard.ts';
import type { StepInFlight } from './step-in-flight.ts';

export type { StepInFlight } from './step-in-flight.ts';

/** Exit code when the process ends while a step runs (a migration called process.exit()). */
export const EXIT_DURING_STEP = 1;

/**
 * Watches for the process ending while a step runs — typically a migration
 * calling process.exit(), which would otherwise end the run with exit 0 and
 * no word. The 'exit' listener runs synchronously before the process is gone:
 * it forces a non-zero exit code and prints one line with the state the
 * database is in (a transaction dies with its connection and rolls back; a
 * non-transactional step leaves its row running, i.e. dirty).
 * Returns the function that stops watching.
 */
export function guardProcessExit(
  step: StepInFlight,
  options: {
    repeatable?: boolean;
    /** Steps from `step` to this one travel in one round trip (decision 0007), a transaction each. */
    through?: { version: number; name: string };
  } = {},
): () => void {
  const onExit = (code: number) => {
    // Ended by the signal guard (a second SIGINT/SIGTERM): it said why, with its own exit code.
    if (signalGuard.received) return;
    if (!code) process.exitCode = EXIT_DURING_STEP;
    // A repeatable always runs in a transaction, and its row changes only with its COMMIT.
    const { through } = options;
    const what = options.repeatable
      ? `repeatable migration ${step.name} ran`
      : through
        ? `migrations ${step.version}_${step.name} to ${through.version}_${through.name} ran ${step.direction}`
        : `migration ${step.version}_${step.name} ran ${step.direction}`;
    const state = through
      ? `each runs in its own transaction, so each is ${step.direction === 'up' ? 'applied' : 'reverted'} entirely or not at all; run \`${adviceCommand('status')}\` to see which, then run again`
      : options.repeatable
        ? 'its transaction was rolled back, so it is not applied (its row is unchanged); remove any process.exit() from it and run again'
        : step.transactional
          ? `its transaction was rolled back, so migration ${step.version} is not ${step.direction === 'up' ? 'applied' : 'reverted'}; remove any process.exit() from it and run again`
          : `the database is now dirty at ${step.version}; inspect it, then run \`migrate force ${step.version}\` or \`migrate force ${step.version} --not-applied\``;
    try {
      fs.writeSync(
        2,
        `error: ${step.file}: the process ended (process.exit() or a crash) while ${what}; ${state}\n`,
      );
    } catch {
      // stderr closed: the exit code still tells.
    }
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}
