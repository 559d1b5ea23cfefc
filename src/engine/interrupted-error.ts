import { adviceCommand } from './advice.ts';
import { MigrateError, MigrationFailedError } from './errors.ts';
import { dirtyAdvice, type InvalidIndex, InvalidIndexLeftError } from './invalid-index.ts';
import { SIGNAL_EXIT_CODES, StepNotStartedSignal, type StopSignal, signalGuard } from './signal-guard.ts';
import type { StepInFlight } from './step-in-flight.ts';

/** How an interrupted step left the database. */
export type InterruptedState =
  /** Its transaction was rolled back: the step is not applied (up) / still applied (down). */
  | { kind: 'rolled-back' }
  /** It ran outside a transaction: its row is dirty (with these INVALID indexes left, if any). */
  | { kind: 'dirty'; invalidIndexes: readonly InvalidIndex[] }
  /** The signal came before it started: nothing of it ran. */
  | { kind: 'not-started' }
  /** The signal came while it finished: it is applied (reverted) and recorded; the run stopped after it. */
  | { kind: 'completed' };

/**
 * SIGINT/SIGTERM stopped a run (signal-guard.ts): the step's statement was
 * cancelled on the server, its transaction rolled back (or its row left dirty,
 * saying why), the lock released. Exit code 130 (SIGINT) / 143 (SIGTERM).
 */
export class MigrationInterruptedError extends MigrateError {
  override readonly name = 'MigrationInterruptedError';
  readonly exitCode: 130 | 143;
  constructor(
    readonly signal: StopSignal,
    readonly step: StepInFlight,
    readonly state: InterruptedState,
    options: { cause?: unknown } = {},
  ) {
    super(interruptedMessage(signal, step, state), options);
    this.exitCode = SIGNAL_EXIT_CODES[signal];
  }
}

function interruptedMessage(signal: StopSignal, step: StepInFlight, state: InterruptedState): string {
  const id = `${step.version}_${step.name}`;
  const again = adviceCommand(step.direction === 'up' ? 'latest' : 'status');
  switch (state.kind) {
    case 'completed':
      return `${step.file}: interrupted by ${signal} as migration ${id} finished ${step.direction}: it is ${step.direction === 'up' ? 'applied' : 'reverted'} and recorded, and the run stopped there; run \`${again}\` to continue`;
    case 'not-started':
      return `interrupted by ${signal} before migration ${id} ran ${step.direction}: nothing of it ran; run \`${again}\` to continue`;
    case 'rolled-back':
      return `${step.file}: interrupted by ${signal} while migration ${id} ran ${step.direction}: its statement was cancelled and its transaction rolled back, so migration ${step.version} is ${step.direction === 'up' ? 'not applied' : 'still applied'}; run \`${again}\` to continue`;
    case 'dirty':
      return `${step.file}: interrupted by ${signal} while migration ${id} ran ${step.direction} outside a transaction: its statement was cancelled; ${dirtyAdvice(step.version, state.invalidIndexes)}`;
  }
}

/**
 * The error a step ends with once a signal came (signal-guard.ts): the
 * failure it caused (a cancelled statement, the raced step) as
 * MigrationInterruptedError, with the state that failure left. Any other
 * error passes through.
 */
export function interruptedOr(error: unknown, step: StepInFlight): unknown {
  const signal = signalGuard.received;
  if (!signal || error instanceof MigrationInterruptedError) return error;
  if (error instanceof StepNotStartedSignal)
    return new MigrationInterruptedError(signal, step, { kind: 'not-started' });
  const rolledBack = error instanceof MigrationFailedError ? error.details.rolledBack : step.transactional;
  return new MigrationInterruptedError(
    signal,
    step,
    rolledBack
      ? { kind: 'rolled-back' }
      : { kind: 'dirty', invalidIndexes: error instanceof InvalidIndexLeftError ? error.invalidIndexes : [] },
    { cause: error },
  );
}
