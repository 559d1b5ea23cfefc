/**
 * Child process for signal-between-steps.test.ts: the process's own signal
 * guard, a run that (with `held`) holds its lock, and a SIGINT sent while no
 * step runs. Prints what it lived to see on stdout.
 */
import { StepNotStartedSignal, signalGuard } from '../../../src/engine/signal-guard.ts';

const held = process.argv[2] === 'held';
const stop = signalGuard.watch();
const release = held ? signalGuard.holdRun() : () => undefined;
process.kill(process.pid, 'SIGINT');
await new Promise((resolve) => setTimeout(resolve, 300));
console.log('alive after the signal');
try {
  signalGuard.enterStep(
    { version: 2, name: 'b', file: '002_b.up.sql', direction: 'up', transactional: true },
    async () => undefined,
  );
  console.log('step 2 started');
} catch (error) {
  console.log(error instanceof StepNotStartedSignal ? 'step 2 refused to start' : `unexpected ${error}`);
}
// The run's end (flush, unlock) would happen here, then the run lets go.
release();
stop();
console.log('run ended');
