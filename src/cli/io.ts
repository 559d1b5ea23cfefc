import { redactUrl } from '../index.ts';

/** Where the CLI writes. Injected so tests can run commands in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Asks a yes/no question; only called when isTTY. */
  confirm: (question: string) => Promise<boolean>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Every line leaving the CLI passes through here: no password is ever printed. */
export function safe(text: string): string {
  return redactUrl(text);
}

/**
 * A reader that goes away (`kmigrate status | head`) ends our output, not the
 * command: a run in progress finishes and its exit code stands; nothing more is
 * written to that stream, and no stack trace of the broken pipe is printed.
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(safe(text));
  };
}

export function processIO(): CliIO {
  return {
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    isTTY: Boolean(process.stdout.isTTY && process.stdin.isTTY),
    confirm: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
