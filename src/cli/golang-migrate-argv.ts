import { UsageError } from './usage-error.ts';

/**
 * golang-migrate's command line (`migrate -path ./migrations -database $DATABASE_URL up`),
 * accepted as an alias so existing deploy scripts keep working. Each command maps onto
 * ours, with our safety: the lock, checksums, and confirmation (`--yes`) for rollbacks.
 */
export const GOLANG_MIGRATE_HELP = `
golang-migrate's command line is accepted too (single-dash flags, as Go writes them):
  -path DIR | -source file://DIR   --dir DIR
  -database URL                    --url URL (sqlite3://FILE is read as sqlite:FILE;
                                   x-migrations-table=T as --table T)
  -lock-timeout N (seconds)        --lock-timeout N*1000     -verbose  --verbose
  up                               latest
  up N                             up --step N
  down N                           down --step N
  down                             to 0 (every down; asks, or needs --yes)
  down -all                        to 0 --yes
  goto V                           to V
  force V                          force V
  version                          status --current (prints "V" or "V (dirty)")
  drop [-f]                        to 0 (runs the downs instead of dropping every object;
                                   -f counts as --yes)
  create [-ext sql] [-dir D] NAME  create NAME [--sql] [--dir D]
`;

/** Go flag names that only golang-migrate's command line uses: one of them switches the alias on. */
const ALIAS_FLAGS = new Set(['path', 'source', 'database']);

/**
 * Rewrites golang-migrate's argv into ours, or returns undefined when `argv` is
 * not golang-migrate's (no -path/-source/-database flag before the command).
 */
export function translateGolangMigrateArgv(argv: readonly string[]): string[] | undefined {
  const flags = new Map<string, string | true>();
  let i = 0;
  for (; i < argv.length; i++) {
    const flag = goFlag(argv[i]!);
    if (!flag) break;
    if (flag.value !== undefined) flags.set(flag.name, flag.value);
    else if (flag.name === 'verbose' || flag.name === 'help' || flag.name === 'h' || flag.name === 'version')
      flags.set(flag.name, true);
    else {
      const value = argv[i + 1];
      // Our own command line (`--json lint --all`) reaches here too: only a golang-migrate one is refused.
      if (value === undefined && ![...flags.keys(), flag.name].some((name) => ALIAS_FLAGS.has(name)))
        return undefined;
      if (value === undefined) throw new UsageError(`-${flag.name}`, 'needs a value');
      flags.set(flag.name, value);
      i++;
    }
  }
  if (![...flags.keys()].some((name) => ALIAS_FLAGS.has(name))) return undefined;

  const out: string[] = [];
  const source = flags.get('source');
  const folder = flags.get('path') ?? (typeof source === 'string' ? fileSource(source) : undefined);
  if (typeof folder === 'string') out.push('--dir', folder);
  const database = flags.get('database');
  if (typeof database === 'string') {
    const { url, table } = databaseUrl(database);
    out.push('--url', url);
    if (table) out.push('--table', table);
  }
  const lockTimeout = flags.get('lock-timeout');
  if (typeof lockTimeout === 'string') {
    const seconds = Number(lockTimeout);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError('-lock-timeout', `"${lockTimeout}" is not a number of seconds above 0`);
    out.push('--lock-timeout', String(Math.round(seconds * 1000)));
  }
  if (flags.get('verbose')) out.push('--verbose');
  if (flags.get('help') || flags.get('h')) return [...out, '--help'];
  if (flags.get('version')) return ['--version'];

  const [command, ...rest] = argv.slice(i);
  const yes = rest.some((a) => a === '--yes' || a === '-y') ? ['--yes'] : [];
  const args = rest.filter((a) => a !== '--yes' && a !== '-y');
  switch (command) {
    case undefined:
      throw new UsageError(
        'command',
        'missing after the golang-migrate flags',
        'up, down, goto, force, version, drop, create',
      );
    case 'up':
      return args.length ? [...out, 'up', '--step', count('up', args), ...yes] : [...out, 'latest', ...yes];
    case 'down':
      if (!args.length || (args.length === 1 && isAll(args[0]!)))
        return [...out, 'to', '0', ...(args.length ? ['--yes'] : yes)];
      return [...out, 'down', '--step', count('down', args), ...yes];
    case 'goto':
      return [...out, 'to', single('goto', args), ...yes];
    case 'force':
      return [...out, 'force', single('force', args), ...yes];
    case 'version':
      return [...out, 'status', '--current'];
    case 'drop': {
      const force = args.some((a) => a === '-f' || a === '--f');
      const extra = args.filter((a) => a !== '-f' && a !== '--f');
      if (extra.length) throw new UsageError('drop', `unexpected "${extra.join(' ')}"`, 'drop [-f]');
      return [...out, 'to', '0', ...(force ? ['--yes'] : yes)];
    }
    case 'create':
      return [...out, ...createArgs(args)];
    default:
      throw new UsageError(
        command,
        'is not a golang-migrate command',
        'up, down, goto, force, version, drop, create',
      );
  }
}

/** `-name`, `--name`, `-name=value` (Go's flag syntax); not a lone `-` or a number like -1. */
function goFlag(arg: string): { name: string; value?: string } | undefined {
  const match = /^--?([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
  if (!match) return undefined;
  return match[2] === undefined ? { name: match[1]! } : { name: match[1]!, value: match[2] };
}

function fileSource(source: string): string {
  const match = /^file:\/\/(.+)$/.exec(source);
  if (!match)
    throw new UsageError('-source', `"${source}" is not a file:// source`, 'file://PATH (or -path PATH)');
  return match[1]!;
}

/** golang-migrate spells SQLite `sqlite3://path`; its table option is a URL parameter. */
function databaseUrl(url: string): { url: string; table?: string } {
  let result = url.replace(/^sqlite3?:\/\//i, 'sqlite:');
  let table: string | undefined;
  const query = result.indexOf('?');
  if (query >= 0) {
    const params = new URLSearchParams(result.slice(query + 1));
    table = params.get('x-migrations-table') ?? undefined;
    params.delete('x-migrations-table');
    const rest = params.toString();
    result = result.slice(0, query) + (rest ? `?${rest}` : '');
  }
  return table ? { url: result, table } : { url: result };
}

function isAll(arg: string): boolean {
  return arg === '-all' || arg === '--all';
}

function count(command: string, args: string[]): string {
  if (args.length !== 1 || !/^[1-9]\d*$/.test(args[0]!))
    throw new UsageError(
      command,
      `takes one whole number above 0, got "${args.join(' ')}"`,
      `${command} N${command === 'down' ? ' or down -all' : ''}`,
    );
  return args[0]!;
}

function single(command: string, args: string[]): string {
  if (args.length !== 1 || !/^\d+$/.test(args[0]!))
    throw new UsageError(command, `takes one version, got "${args.join(' ')}"`, `${command} V`);
  return args[0]!;
}

/** `create [-ext E] [-dir D] [-seq] [-digits N] [-format F] [-tz TZ] NAME`. */
function createArgs(args: string[]): string[] {
  const out = ['create'];
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = goFlag(args[i]!);
    if (!flag) {
      name = args[i];
      continue;
    }
    const value = flag.value ?? (flag.name === 'seq' ? undefined : args[++i]);
    if (flag.name === 'ext' && value?.replace(/^\./, '') === 'sql') out.push('--sql');
    else if (flag.name === 'dir' && value) out.unshift('--dir', value);
  }
  if (!name) throw new UsageError('create', 'needs a NAME', 'create [-ext sql] [-dir D] NAME');
  return [...out, name];
}
