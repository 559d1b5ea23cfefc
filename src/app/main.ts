/**
 * `npm start`: migrate, then serve. Exits non-zero, without ever listening,
 * when the database is unreachable or a migration fails.
 */
import { redactUrl } from '../config/database-url.ts';
import { startApp } from './start-app.ts';

try {
  const started = await startApp();
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`${signal}: closing\n`);
    started.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`start-up failed: ${redactUrl(message)}\n`);
  if (process.env.VERBOSE && error instanceof Error && error.stack) {
    process.stderr.write(`${redactUrl(error.stack)}\n`);
  }
  // MigrateError and ConfigError carry the CLI's exit code (1 failed, 2 usage/files, 4 refused by state).
  const exitCode = (error as { exitCode?: unknown } | null)?.exitCode;
  process.exitCode = typeof exitCode === 'number' && exitCode > 0 ? exitCode : 1;
  // Everything was closed; this only guards against a stray handle keeping a failed process alive.
  setTimeout(() => process.exit(process.exitCode), 2_000).unref();
}
