import { Command, CommanderError } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../engine/applied-by.ts';
import { type CommandRunner, isExitCode } from './command-runner.ts';
import { registerBaseline } from './commands/baseline.ts';
import { registerCodegen } from './commands/codegen.ts';
import { registerCreate } from './commands/create.ts';
import { registerDown } from './commands/down.ts';
import { registerDrift } from './commands/drift.ts';
import { registerForce } from './commands/force.ts';
import { registerLatest } from './commands/latest.ts';
import { registerLint } from './commands/lint.ts';
import { registerRedo } from './commands/redo.ts';
import { registerRepair } from './commands/repair.ts';
import { registerStatus } from './commands/status.ts';
import { registerTo } from './commands/to.ts';
import { registerUp } from './commands/up.ts';
import { registerVerify } from './commands/verify.ts';
import { createContext } from './context.ts';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.ts';
import { addGlobalOptions, type GlobalOptions } from './global-options.ts';
import { type CliIO, processIO, safe } from './io.ts';
import { Reporter } from './reporter.ts';

/**
 * Runs the CLI and returns the exit code; never calls process.exit, so tests
 * can run it in-process. Errors become one line on stderr (a stack trace only
 * with --verbose).
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  const program = new Command(TOOL_NAME)
    .description('Versioned, checksummed, locked schema migrations for Kysely apps on SQLite and PostgreSQL.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  addGlobalOptions(program);

  const run: CommandRunner = async (cmd, body) => {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    try {
      const ctx = await createContext(options, io);
      const result = await body(ctx);
      if (isExitCode(result)) exitCode = result;
    } catch (error) {
      exitCode = exitCodeFor(error);
      const reporter = new Reporter(io, options);
      reporter.error(safe(error instanceof Error ? error.message : String(error)));
      if (options.verbose && error instanceof Error) {
        io.stderr(`${safe(error.stack ?? '')}\n`);
        if (error.cause instanceof Error)
          io.stderr(`caused by: ${safe(error.cause.stack ?? error.cause.message)}\n`);
      }
    }
  };

  for (const register of [
    registerLatest,
    registerUp,
    registerDown,
    registerTo,
    registerRedo,
    registerStatus,
    registerCreate,
    registerForce,
    registerRepair,
    registerBaseline,
    registerCodegen,
    registerDrift,
    registerVerify,
    registerLint,
  ]) {
    register(program, run);
  }
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');

  try {
    await program.parseAsync(withDefaultCommand(argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 in commander.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw error;
  }
  return exitCode;
}

/** Global options that take a value, so their value is not mistaken for a command. */
const VALUE_OPTIONS = new Set(['--url', '--config', '--dir', '--table', '--lock-timeout']);

/** `migrate` alone (or with only global options) means `migrate latest`. */
function withDefaultCommand(argv: readonly string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return [...argv];
    if (['-h', '--help', '-V', '--version'].includes(arg)) return [...argv];
  }
  return [...argv, 'latest'];
}
