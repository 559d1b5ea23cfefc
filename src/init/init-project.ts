import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAMES } from '../config/load-config.ts';
import { adviceCommand } from '../engine/advice.ts';
import { writeIntegritySum } from '../sources/integrity-sum.ts';

export interface InitOptions {
  /** The project folder (where package.json is); default process.cwd(). */
  cwd?: string;
  /** Also write .github/workflows/migrations.yml. */
  ci?: boolean;
  /** Migrations folder for a new config; default `migrations`. */
  migrationsDir?: string;
  /** Written into a new config (`platform: 'supabase'`): scratch databases get the Supabase stand-in. */
  platform?: 'supabase';
}

/** One file or setting `init` looked at: written now, or already there and left alone. */
export interface InitStep {
  path: string;
  status: 'created' | 'kept';
  detail: string;
}

export const INIT_CONFIG_FILE = 'kysely.config.ts';
export const INIT_WORKFLOW_FILE = '.github/workflows/migrations.yml';

/**
 * `kmigrate init`: the config (typed defineConfig from this package), the
 * migrations folder, an npm script and, with `ci`, a CI workflow. Idempotent:
 * anything that exists is kept as it is, never overwritten.
 */
export function initProject(options: InitOptions = {}): InitStep[] {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const steps: InitStep[] = [];
  const existingConfig = CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((f) => fs.existsSync(f));
  const migrationsDir = options.migrationsDir ?? 'migrations';
  if (existingConfig) {
    steps.push({ path: rel(cwd, existingConfig), status: 'kept', detail: 'config exists' });
  } else {
    writeNew(path.join(cwd, INIT_CONFIG_FILE), configTemplate(migrationsDir, options.platform));
    steps.push({
      path: INIT_CONFIG_FILE,
      status: 'created',
      detail: `config (defineConfig from kmigrate${options.platform ? `, platform '${options.platform}'` : ''})`,
    });
  }

  const folder = path.join(cwd, migrationsDir);
  if (fs.existsSync(folder))
    steps.push({ path: `${migrationsDir}/`, status: 'kept', detail: 'folder exists' });
  else {
    fs.mkdirSync(folder, { recursive: true });
    // Git keeps no empty folders; files starting with "." are not migrations.
    writeNew(path.join(folder, '.gitkeep'), '');
    // A new project gets the integrity sum from the start: two branches adding migrations conflict in git.
    writeIntegritySum(folder);
    steps.push({
      path: `${migrationsDir}/`,
      status: 'created',
      detail: 'migrations folder with kmigrate.sum',
    });
  }

  steps.push(addNpmScript(cwd));

  if (options.ci) {
    const workflow = path.join(cwd, INIT_WORKFLOW_FILE);
    if (fs.existsSync(workflow))
      steps.push({ path: INIT_WORKFLOW_FILE, status: 'kept', detail: 'workflow exists' });
    else {
      fs.mkdirSync(path.dirname(workflow), { recursive: true });
      writeNew(
        workflow,
        workflowTemplate((args) => adviceCommand(args, { env: {}, cwd })),
      );
      steps.push({
        path: INIT_WORKFLOW_FILE,
        status: 'created',
        detail: 'CI workflow: apply and verify migrations',
      });
    }
  }
  return steps;
}

/** `"migrate": "kmigrate"` in package.json, unless a script already runs kmigrate (or there is no package.json). */
function addNpmScript(cwd: string): InitStep {
  const file = path.join(cwd, 'package.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { path: 'package.json', status: 'kept', detail: 'none here: run `npx kmigrate` directly' };
  }
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  const scripts = pkg.scripts ?? {};
  const existing = Object.entries(scripts).find(([, command]) => /(^|[\s/])kmigrate(\s|$)/.test(command));
  if (existing)
    return { path: 'package.json', status: 'kept', detail: `script "${existing[0]}" runs kmigrate` };
  const name = scripts.migrate === undefined ? 'migrate' : 'kmigrate';
  if (scripts[name] !== undefined)
    return { path: 'package.json', status: 'kept', detail: `scripts "migrate" and "kmigrate" are taken` };
  pkg.scripts = { ...scripts, [name]: 'kmigrate' };
  // Keep the file's own indentation and final newline: init should not reformat it.
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, indent)}${text.endsWith('\n') ? '\n' : ''}`);
  return { path: 'package.json', status: 'created', detail: `script "${name}": "kmigrate"` };
}

/** Creates a file that must not exist yet: `wx` makes "never overwrite" hold even against a race. */
function writeNew(file: string, content: string): void {
  fs.writeFileSync(file, content, { flag: 'wx' });
}

function rel(cwd: string, file: string): string {
  return path.relative(cwd, file) || file;
}

export function configTemplate(migrationsDir: string, platform?: 'supabase'): string {
  return `import { defineConfig } from 'kmigrate';

/**
 * kmigrate's configuration (\`npx kmigrate --help\`). The database: --url, else the
 * DATABASE_URL environment variable, else databaseUrl below, else sqlite:./data/dev.sqlite.
 * Accepted: postgres://, postgresql://, sqlite:PATH, file:PATH, sqlite::memory:.
 */
export default defineConfig({
  migrationsDir: '${migrationsDir}',${platform ? `\n  // Scratch databases (verify, drift, codegen) get a stand-in of what Supabase provides.\n  platform: '${platform}',` : ''}
  // databaseUrl: 'sqlite:./data/dev.sqlite',
  // table: 'schema_migrations',
  // codegen: { outFile: 'src/db-types.ts' },
});
`;
}

function workflowTemplate(command: (args: string) => string): string {
  return `# Written by \`kmigrate init --ci\`. Applies every migration to a throw-away SQLite
# database and checks on a scratch database that each one reverses cleanly.
name: migrations
on:
  push:
  pull_request:
jobs:
  migrations:
    runs-on: ubuntu-latest
    env:
      DATABASE_URL: sqlite:./ci.sqlite
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: ${command('latest --no-codegen')}
      - run: ${command('verify')}
`;
}
