#!/usr/bin/env node
/**
 * The package bin (`npx kmigrate …`). Runs the prebuilt bundle dist/bundle/kmigrate.mjs
 * (built by `npm run build`, which `prepare` runs on install and before `npm pack`).
 * TypeScript support is not decided here: the CLI registers its loader itself when
 * it first imports a .ts file (src/sources/import-file.ts), so this file keeps no
 * copy of the command line's options.
 *
 * Inside this repository, when the bundle is missing or older than a file in src/,
 * it runs the sources through tsx instead (slower start, always current).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'bundle', 'kmigrate.mjs');
const sources = path.join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * KMIGRATE_BIN_MODE=bundle uses the bundle even when src/ changed since the build
 * (benchmarks pin the build they measure); =sources forces tsx. An installed
 * package has no src/: always the bundle.
 */
function useBundle() {
  const mode = process.env.KMIGRATE_BIN_MODE;
  if (mode === 'sources') return false;
  let built;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  return mode === 'bundle' || !fs.existsSync(sources) || built >= newestMtime(sources);
}

let runCli;
if (useBundle()) {
  ({ runCli } = await import(pathToFileURL(bundle).href));
} else if (fs.existsSync(sources)) {
  // Under `tsx scripts/migrate.ts` (npm run migrate) tsx's loader is already there.
  if (!process.execArgv.some((arg) => arg.includes('tsx'))) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  ({ runCli } = await import(pathToFileURL(path.join(sources, 'cli', 'main.ts')).href));
} else {
  process.stderr.write(`error: ${bundle} is missing; reinstall kmigrate (npm install kmigrate)\n`);
  process.exit(1);
}
process.exitCode = await runCli(process.argv.slice(2));
