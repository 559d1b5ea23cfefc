import fs from 'node:fs';
import path from 'node:path';

/** An npm script that runs this tool: the bin, or a project's own door to it (scripts/migrate.ts). */
const RUNS_KMIGRATE = /(^|[\s/])kmigrate(\.mjs)?(\s|$)|(^|[\s/])migrate\.[cm]?[jt]s(\s|$)/;

export interface AdviceContext {
  /** npm_lifecycle_event/npm_lifecycle_script say which npm script started this process. */
  env?: NodeJS.ProcessEnv;
  /** Where to look (upward) for the project's package.json and its scripts; default process.cwd(). */
  cwd?: string;
}

/**
 * The command line a user types to run `kmigrate <args>`, for every hint and
 * generated-file header: `npm run <script> -- <args>` when an npm script that
 * runs kmigrate started this process (or, without one, when the project's
 * package.json has such a script), else `npx kmigrate <args>`. Never a script
 * that exists only in this repository.
 */
export function adviceCommand(args: string, context: AdviceContext = {}): string {
  const env = context.env ?? process.env;
  const script =
    env.npm_lifecycle_event && RUNS_KMIGRATE.test(env.npm_lifecycle_script ?? '')
      ? env.npm_lifecycle_event
      : projectScript(context.cwd ?? process.cwd());
  return script ? `npm run ${script} -- ${args}` : `npx kmigrate ${args}`;
}

const scriptByDir = new Map<string, string | undefined>();

/** The first script of the nearest package.json that runs kmigrate (cached per folder). */
function projectScript(cwd: string): string | undefined {
  if (scriptByDir.has(cwd)) return scriptByDir.get(cwd);
  let found: string | undefined;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      // not here: look one folder up
    }
    if (text !== undefined) {
      try {
        const scripts = (JSON.parse(text) as { scripts?: Record<string, string> }).scripts ?? {};
        found = Object.entries(scripts).find(([, command]) => RUNS_KMIGRATE.test(command))?.[0];
      } catch {
        // an unreadable package.json is not ours to report here
      }
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  scriptByDir.set(cwd, found);
  return found;
}
