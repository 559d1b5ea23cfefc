#!/usr/bin/env node
/**
 * The package bin. Fast path: the prebuilt bundle dist/kmigrate.mjs (`npm run
 * build`), plus a small type-stripping hook only when a TypeScript file may be
 * imported. When the bundle is missing or older than any file in src/, it
 * falls back to running the sources through tsx (slower start, always current).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'kmigrate.mjs');
const argv = process.argv.slice(2);

/** Commands that never import a migration module (they read files as text); codegen, lint, drift and verify do. */
const TEXT_ONLY_COMMANDS = new Set(['status', 'create', 'help']);
/** Global options that take a value (mirrors src/cli/main.ts). */
const VALUE_OPTIONS = new Set(['--url', '--config', '--dir', '--table', '--lock-timeout']);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * KMIGRATE_BIN_MODE=bundle uses dist/ even when src/ changed since the build
 * (benchmarks pin the build they measure); =sources forces tsx.
 */
function useBundle() {
  const mode = process.env.KMIGRATE_BIN_MODE;
  if (mode === 'sources') return false;
  try {
    const built = fs.statSync(bundle).mtimeMs;
    return mode === 'bundle' || built >= newestMtime(path.join(root, 'src'));
  } catch {
    return false;
  }
}

/** True when this run may import a .ts file: a TypeScript config, or a command that loads migration modules. */
function needsTypeScript() {
  let command;
  let config;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else if (VALUE_OPTIONS.has(arg)) {
      if (arg === '--config') config = argv[i + 1];
      i++;
    } else if (['-h', '--help', '-V', '--version'].includes(arg)) return false;
    else if (!arg.startsWith('-') && command === undefined) command = arg;
  }
  const configFile = config ?? (fs.existsSync('kysely.config.ts') ? 'kysely.config.ts' : undefined);
  if (configFile && /\.(ts|mts|cts)$/.test(configFile)) return true;
  return command === undefined || !TEXT_ONLY_COMMANDS.has(command);
}

let runCli;
if (useBundle()) {
  // Imported before the hooks are registered, so the bundle itself is never transformed.
  ({ runCli } = await import(pathToFileURL(bundle).href));
  if (needsTypeScript()) {
    const { register } = await import('node:module');
    register('./ts-hooks.mjs', import.meta.url);
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import(pathToFileURL(path.join(root, 'src', 'cli', 'main.ts')).href));
}
process.exitCode = await runCli(argv);
