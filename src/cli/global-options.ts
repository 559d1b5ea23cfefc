import { type Command, InvalidArgumentError, Option } from 'commander';

/** Options every command accepts. */
export interface GlobalOptions {
  url?: string;
  config?: string;
  dir?: string;
  table?: string;
  lockTimeout?: number;
  stepTimeout?: number;
  verbose?: boolean;
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  allowOutOfOrder?: boolean;
  codegen?: boolean;
  platform?: 'supabase' | 'none';
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--url <url>', 'database URL (else DATABASE_URL, else the config, else sqlite:./data/dev.sqlite)')
    .option('--config <file>', 'configuration file (default: the nearest kysely.config.ts from here upward)')
    .option('--dir <folder>', 'migrations folder (overrides the config)')
    .option('--table <name>', 'tracking table (default schema_migrations)')
    .addOption(
      new Option(
        '--lock-timeout <ms>',
        'how long to wait for another migrator, in ms (default 60000)',
      ).argParser(positiveInt('--lock-timeout')),
    )
    .addOption(
      new Option(
        '--step-timeout <ms>',
        'fail a migration step still running after this long, in ms (default 3600000; 0 = none)',
      ).argParser(nonNegativeInt('--step-timeout')),
    )
    .option('--json', 'machine-readable results on stdout, logs on stderr')
    .option('--dry-run', 'print the plan and the SQL it would run; change nothing')
    .option(
      '-y, --yes',
      'do not ask for confirmation (required without a terminal for down/to on PostgreSQL)',
    )
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one')
    .option('--no-codegen', 'do not regenerate types after migrating')
    .addOption(
      new Option(
        '--platform <name>',
        'hosted platform the migrations are written for (config `platform`); supabase: scratch databases get a Supabase stand-in; none: off',
      ).choices(['supabase', 'none']),
    )
    .option('--verbose', 'print stack traces and every SQL statement');
}

export function positiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} takes a whole number above 0`);
    return n;
  };
}

export function nonNegativeInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${flag} takes a whole number (0 or more)`);
    return n;
  };
}
