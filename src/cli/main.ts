import { Command, CommanderError } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../engine/applied-by.ts';
import { type CommandRunner, isExitCode } from './command-runner.ts';
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

  // Only the invoked command's module is loaded (each is its own chunk in the bundle): a cold
  // `status` never evaluates codegen, lint or drift. Help and unknown commands load them all.
  const argvWithDefault = withDefaultCommand(argv);
  const invoked = commandName(argvWithDefault);
  const names = invoked && invoked in COMMANDS ? [invoked] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program, run);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');

  try {
    await program.parseAsync(argvWithDefault, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 in commander.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw error;
  }
  return exitCode;
}

type Register = (program: Command, run: CommandRunner) => void;

/** Every command, in help order, loaded on demand. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  latest: async () => (await import('./commands/latest.ts')).registerLatest,
  up: async () => (await import('./commands/up.ts')).registerUp,
  down: async () => (await import('./commands/down.ts')).registerDown,
  to: async () => (await import('./commands/to.ts')).registerTo,
  redo: async () => (await import('./commands/redo.ts')).registerRedo,
  status: async () => (await import('./commands/status.ts')).registerStatus,
  create: async () => (await import('./commands/create.ts')).registerCreate,
  force: async () => (await import('./commands/force.ts')).registerForce,
  repair: async () => (await import('./commands/repair.ts')).registerRepair,
  baseline: async () => (await import('./commands/baseline.ts')).registerBaseline,
  codegen: async () => (await import('./commands/codegen.ts')).registerCodegen,
  drift: async () => (await import('./commands/drift.ts')).registerDrift,
  verify: async () => (await import('./commands/verify.ts')).registerVerify,
  lint: async () => (await import('./commands/lint.ts')).registerLint,
  sum: async () => (await import('./commands/sum.ts')).registerSum,
  seed: async () => (await import('./commands/seed.ts')).registerSeed,
  reset: async () => (await import('./commands/reset.ts')).registerReset,
  schema: async () => (await import('./commands/schema.ts')).registerSchema,
};

/** The first word that is not an option (or an option's value), if any. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** Global options that take a value, so their value is not mistaken for a command. */
const VALUE_OPTIONS = new Set(['--url', '--config', '--dir', '--table', '--lock-timeout', '--platform']);

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
