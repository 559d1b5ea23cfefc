/**
 * A minimal migrating process for the campaigns: the embedding API's
 * migrateToLatest (no CLI start-up cost), with one JSON line per event on
 * stdout so the parent can time a kill -9. Started by ts-process.ts as
 *   node --import tsx migrate-runner.ts '{"url": "...", "dir": "...", "waitForGo": true}'
 * Lines: {"type":"ready"}, then engine events, then {"type":"result",...} or {"type":"error",...}.
 */
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { migrateToLatest } from '../../../src/index.ts';

interface RunnerArgs {
  url: string;
  dir: string;
  /** Wait for a `go` line on stdin after loading: lets N processes start the same instant. */
  waitForGo?: boolean;
  lockTimeoutMs?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as RunnerArgs;
// Each line carries the runner's own clock (ms since start): the parent may read lines late, in batches.
const emit = (value: object) =>
  process.stdout.write(`${JSON.stringify({ ...value, t: Math.round(performance.now() * 10) / 10 })}\n`);

emit({ type: 'ready', pid: process.pid });
if (args.waitForGo) await waitForGo();
try {
  const results = await migrateToLatest(args.url, {
    config: { migrationsDir: args.dir, lockTimeoutMs: args.lockTimeoutMs ?? 60_000 },
    cwd: args.dir,
    onEvent: (event) => emit(event),
  });
  emit({ type: 'result', results });
  process.exitCode = 0;
} catch (error) {
  const e = error as Error;
  emit({ type: 'error', name: e.name, message: e.message });
  process.stderr.write(`error: ${e.message}\n${e.stack ?? ''}\n`);
  process.exitCode = exitCodeFor(error);
}

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    let buffer = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.includes('go\n')) {
        process.stdin.destroy();
        resolve();
      }
    });
  });
}
