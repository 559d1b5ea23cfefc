import fs from 'node:fs';
import { adviceCommand } from './advice.ts';
import type { StepInFlight } from './step-in-flight.ts';

/** The signals that ask a run to stop, and the exit codes a shell gives them (128 + number). */
export type StopSignal = 'SIGINT' | 'SIGTERM';
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, 130 | 143>> = { SIGINT: 130, SIGTERM: 143 };
const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

interface Step {
  readonly step: StepInFlight;
  /** Asks the server to cancel the statement the step runs now (from another connection). */
  readonly cancel: () => Promise<void>;
}

/**
 * What a run does with SIGINT/SIGTERM (Ctrl-C, `docker stop`, a deploy
 * replacing the pod). Without it Node dies on the spot while the server goes
 * on running the step's statement, holding its locks, and a non-transactional
 * step stays `running` with no word.
 *
 * While a run is watched (`watch()`, around every state-changing run):
 * - a signal during a step cancels its statement on the server (the driver's
 *   `cancelStatement`) and makes the step fail at once (`interrupted`, raced
 *   against the step); the step runner then rolls back (or records the dirty
 *   row), releases the lock and throws MigrationInterruptedError;
 * - a signal while no step runs (reading, waiting for the lock, between two
 *   steps) ends the process at once: nothing is half-done there, an open
 *   transaction dies with its connection;
 * - a second signal while cleaning up ends the process at once; the state stays
 *   truthful (a non-transactional step's row is already `running`: dirty).
 * The exit code is 130 (SIGINT) / 143 (SIGTERM). When the embedding app
 * listens for the signal itself, the app decides when the process ends: the
 * guard then only cancels and stops the run.
 */
export class SignalGuard {
  #watchers = 0;
  #received: StopSignal | undefined;
  /** The process had its own listener for the signal: never exit on the app's behalf. */
  #appListens = false;
  #step: Step | undefined;
  /** Runs holding their lock (holdRun): a signal between their steps lets them end properly. */
  #runsHeld = 0;
  #rejectInterrupted: ((error: Error) => void) | undefined;
  #interrupted: Promise<never> | undefined;
  readonly #onSignal = (signal: StopSignal) => this.#handle(signal);

  /** The signal received during the current watch, if any. */
  get received(): StopSignal | undefined {
    return this.#received;
  }

  /** Starts watching (re-entrant); returns the function that stops. */
  watch(): () => void {
    if (this.#watchers++ === 0) {
      this.#received = undefined;
      this.#appListens = SIGNALS.some((s) => process.listenerCount(s) > 0);
      for (const s of SIGNALS) process.on(s, this.#onSignal);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#watchers > 0) return;
      for (const s of SIGNALS) process.off(s, this.#onSignal);
      const signal = this.#received;
      if (signal && !this.#appListens) {
        // The run has unwound (rolled back, lock released) and its error is on its way to the
        // caller, which prints it. A migration's own timer must not keep the process alive — it
        // would go on with the step on a connection that is no longer its transaction.
        process.exitCode = SIGNAL_EXIT_CODES[signal];
        setTimeout(() => process.exit(SIGNAL_EXIT_CODES[signal]), 500).unref();
      }
      this.#interrupted = undefined;
      this.#rejectInterrupted = undefined;
    };
  }

  /**
   * A step starts: until the returned function is called, a signal cancels it.
   * Throws at once when a signal already came (the step must not start).
   */
  enterStep(step: StepInFlight, cancel: () => Promise<void>): () => void {
    if (this.#received) throw new StepNotStartedSignal(this.#received);
    const entry: Step = { step, cancel };
    this.#step = entry;
    return () => {
      if (this.#step === entry) this.#step = undefined;
    };
  }

  /**
   * A run took its lock: until the returned function is called (after the
   * run's end, which on PostgreSQL flushes the commits of its steps), a signal
   * between two steps does not end the process on the spot. The next step
   * refuses to start (StepNotStartedSignal), the run unwinds through its end —
   * commits made durable, lock released — and the error says where it stopped.
   * Bounded: if the unwinding hangs, the process exits after RUN_END_GRACE_MS.
   */
  holdRun(): () => void {
    this.#runsHeld++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#runsHeld--;
    };
  }

  /** Rejects once a signal arrives while watched; raced against a step's own work. Never settles otherwise. */
  interrupted(): Promise<never> {
    if (!this.#interrupted) {
      this.#interrupted = new Promise<never>((_, reject) => {
        this.#rejectInterrupted = reject;
      });
      this.#interrupted.catch(() => undefined);
      if (this.#received) this.#rejectInterrupted?.(new InterruptSignal(this.#received));
    }
    return this.#interrupted;
  }

  #handle(signal: StopSignal): void {
    const code = SIGNAL_EXIT_CODES[signal];
    if (this.#received) {
      // A second signal: the user wants out now. Whatever the cleanup had not done yet, the
      // server does when the connection closes: a transaction rolls back; a non-transactional
      // step's row already says `running`, i.e. dirty.
      writeLine(`error: ${signal} again during clean-up: exiting now; ${this.#stateNow()}`);
      process.exit(code);
    }
    this.#received = signal;
    this.#rejectInterrupted?.(new InterruptSignal(signal));
    const step = this.#step;
    if (step) {
      step.cancel().catch(() => undefined);
      return;
    }
    if (this.#appListens) return;
    if (this.#runsHeld > 0) {
      // Between two steps of a run that holds its lock: the run stops at the next step and
      // ends properly (its end makes the finished steps durable); watch()'s end exits.
      setTimeout(() => process.exit(code), RUN_END_GRACE_MS).unref();
      return;
    }
    writeLine(
      `error: interrupted by ${signal} while no migration was running (reading, waiting for the lock or between steps): every migration is applied or not, none half-done; run \`${adviceCommand('status')}\` to see where it stopped`,
    );
    process.exit(code);
  }

  #stateNow(): string {
    const current = this.#step?.step;
    if (!current)
      return `no migration was running; run \`${adviceCommand('status')}\` to see where it stopped`;
    const id = `${current.version}_${current.name}`;
    return current.transactional
      ? `migration ${id} was running in a transaction, which the server rolls back when the connection closes (it is not ${current.direction === 'up' ? 'applied' : 'reverted'}); run \`${adviceCommand('status')}\``
      : `migration ${id} was running outside a transaction: the database is dirty at ${current.version}; inspect it, then run \`${adviceCommand(`force ${current.version}`)}\` or \`${adviceCommand(`force ${current.version} --not-applied`)}\``;
  }
}

/** How long a run stopped between two steps may take to end (flush, unlock) before the process exits anyway. */
export const RUN_END_GRACE_MS = 5_000;

/** The process's one guard (signals are per process). */
export const signalGuard = new SignalGuard();

/** Internal: how a signal reaches the step runner, which turns it into MigrationInterruptedError. */
export class InterruptSignal extends Error {
  override readonly name = 'InterruptSignal';
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}

/** Internal: a signal came before the step started; nothing of it ran. */
export class StepNotStartedSignal extends InterruptSignal {}

function writeLine(line: string): void {
  try {
    fs.writeSync(2, `${line}\n`);
  } catch {
    // stderr closed: the exit code still tells.
  }
}
