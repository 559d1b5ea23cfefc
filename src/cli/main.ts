import { Command, CommanderError } from 'commander';
import { TOOL_NAME, TOOL_VERSION } from '../index.ts';
import { noteCodeCacheLabel } from './code-cache-label.ts';
import { type CommandRunner, isExitCode } from './command-runner.ts';
import { createContext } from './context.ts';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.ts';
import { addGlobalOptions, type GlobalOptions } from './global-options.ts';
import { GOLANG_MIGRATE_HELP, translateGolangMigrateArgv } from './golang-migrate-argv.ts';
import { type CliIO, processIO, safe } from './io.ts';
import { Reporter } from './reporter.ts';
import { UsageError } from './usage-error.ts';

/**
 * Runs the CLI and returns the exit code; never calls process.exit, so tests
 * can run it in-process. Errors become one line on stderr (a stack trace only
 * with --verbose).
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  let args: readonly string[];
  try {
    args = translateGolangMigrateArgv(argv) ?? argv;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    new Reporter(io, {}).error(error.message);
    return EXIT.USAGE;
  }
  const program = new Command(TOOL_NAME)
    .description('Versioned, checksummed, locked schema migrations for Kysely apps on SQLite and PostgreSQL.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  addGlobalOptions(program);
  program.addHelpText('after', GOLANG_MIGRATE_HELP);

  const run: CommandRunner = async (cmd, body) => {
    const options = cmd.optsWithGlobals<GlobalOptions>();
    // --verbose: every SQL statement on stderr (stdout stays the --json document). Loaded only then.
    const statements = options.verbose ? (await import('../index.ts')).logStatementsTo : undefined;
    statements?.((text, ms) => io.stderr(`sql (${Math.round(ms)} ms): ${safe(text.trim())}\n`));
    try {
      const ctx = await createContext(options, io);
      noteCodeCacheLabel(cmd.name(), ctx.config.database.dialect);
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
    } finally {
      statements?.(undefined);
    }
  };

  // Only the invoked command's module is loaded (each is its own chunk in the bundle): a cold
  // `status` never evaluates codegen, lint or drift. Help, version and errors load them all.
  for (const name of commandsToLoad(args)) (await COMMANDS[name]!())(program, run);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');

  try {
    await program.parseAsync([...args], { from: 'user' });
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
  init: async () => (await import('./commands/init.ts')).registerInit,
};

/**
 * Which command modules this run needs. Commander itself reads the command line: a
 * throwaway program with only the global options separates them (and their values)
 * from the first operand, the command. No operand and nothing else is the default
 * command (`latest`, registered with isDefault); anything it cannot place (--help,
 * --version, a typo) loads every command so commander can answer in full.
 */
function commandsToLoad(argv: readonly string[]): string[] {
  const probe = addGlobalOptions(new Command())
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .allowUnknownOption();
  let parsed: { operands: string[]; unknown: string[] };
  try {
    parsed = probe.parseOptions([...argv]);
  } catch {
    return Object.keys(COMMANDS); // a bad option value: the real parse reports it
  }
  const [first] = parsed.operands;
  if (first !== undefined) return first in COMMANDS ? [first] : Object.keys(COMMANDS);
  return parsed.unknown.length ? Object.keys(COMMANDS) : [DEFAULT_COMMAND];
}

const DEFAULT_COMMAND = 'latest';
