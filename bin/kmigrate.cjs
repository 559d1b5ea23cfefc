#!/usr/bin/env node
/**
 * The package bin (`npx kmigrate …`). Runs the prebuilt bundle dist/bundle/kmigrate.cjs
 * (built by `npm run build`, which `prepare` runs on install and before `npm pack`).
 * TypeScript support is not decided here: the CLI registers its loader itself when
 * it first imports a .ts file (src/sources/import-file.ts), so this file keeps no
 * copy of the command line's options.
 *
 * Inside this repository, when the bundle is missing or older than a file in src/,
 * it runs the sources through tsx instead (slower start, always current).
 */
// CommonJS, not an ES module: Node starts a CommonJS entry without its ES module loader (≈ 4 ms of
// every command; the bundle is CommonJS too, decision 0004).
const fs = require('node:fs');
const Module = require('node:module');
const { createRequire } = Module;
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist', 'bundle', 'kmigrate.cjs');
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
 * package has no src/: always the bundle. Returns the bundle's stat, or undefined.
 */
function usableBundle() {
  const mode = process.env.KMIGRATE_BIN_MODE;
  if (mode === 'sources') return undefined;
  let built;
  try {
    built = fs.statSync(bundle);
  } catch {
    return undefined;
  }
  return mode === 'bundle' || !fs.existsSync(sources) || built.mtimeMs >= newestMtime(sources)
    ? built
    : undefined;
}

/**
 * Loads the bundle as CommonJS, compiled with V8's code cache kept next to it
 * (`kmigrate.cjs.code-cache`): Node 20 caches no compiled code for ES modules, and
 * compiling the bundle was the largest part of a cold start. The cache's first line
 * names the Node build and the bundle's size and mtime it belongs to (V8 itself checks
 * only the source's length), so a rebuilt bundle or another Node never uses it. The
 * module is registered in require's cache, where the ES module shims next to it
 * (kysely.mjs, index.mjs, answered to TypeScript files by bin/ts-hooks.mjs) find the
 * same instance. Returns the exports and a function that writes the cache after the run
 * (which is when the functions the run compiled are in it): when it was missing or
 * rejected, or when the run was a command on a dialect the cache has not seen (the CLI
 * names it, src/cli/code-cache-label.ts; the header lists those seen). The build warms
 * it with `latest` on SQLite; a PostgreSQL run compiled the pg driver and the PostgreSQL
 * driver lazily every time (≈ 15 % of the bin's CPU for 100 migrations). Each write
 * keeps what the cache had: V8 serializes every function compiled so far, cached ones
 * included. KMIGRATE_CODE_CACHE=0 turns the cache off.
 */
function loadBundle(stat) {
  const file = fs.realpathSync(bundle);
  const cacheFile = `${file}.code-cache`;
  const key = `kmigrate-code-cache 2 ${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs} `;
  const enabled = process.env.KMIGRATE_CODE_CACHE !== '0';
  let cachedData;
  let seen = new Set();
  if (enabled) {
    try {
      const stored = fs.readFileSync(cacheFile);
      const newline = stored.indexOf(10);
      const header = stored.subarray(0, newline).toString('latin1');
      if (newline > 0 && header.startsWith(key)) {
        cachedData = stored.subarray(newline + 1);
        seen = new Set(header.slice(key.length).split(',').filter(Boolean));
      }
    } catch {
      // no cache yet
    }
  }
  // esbuild writes ASCII only (non-ASCII characters are escaped): latin1 is the cheapest exact decoding.
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'latin1')), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const require = createRequire(file);
  require.cache[file] = mod;
  // Every import() of the bundle comes here (bin/build-cli.mjs routeDynamicImports).
  globalThis[Symbol.for('kmigrate.import')] = (specifier) => import(specifier);
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  mod.loaded = true;
  const saveCache = () => {
    if (!enabled) return;
    const kept = cachedData && !script.cachedDataRejected;
    const ran = globalThis[Symbol.for('kmigrate.code-cache-labels')] ?? new Set();
    if (kept && [...ran].every((label) => seen.has(label))) return;
    const labels = [...new Set([...(kept ? seen : []), ...ran])].sort().join(',');
    const temporary = `${cacheFile}.${process.pid}`;
    try {
      const header = Buffer.from(`${key}${labels}\n`, 'latin1');
      fs.writeFileSync(temporary, Buffer.concat([header, script.createCachedData()]));
      fs.renameSync(temporary, cacheFile); // atomic: starters running at once never read half a cache
    } catch {
      fs.rmSync(temporary, { force: true }); // a read-only install runs without a cache
    }
  };
  return { exports: mod.exports, saveCache };
}

async function main() {
  let runCli;
  let saveCache = () => undefined;
  const built = usableBundle();
  if (built) {
    ({
      exports: { runCli },
      saveCache,
    } = loadBundle(built));
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
  saveCache();
}

// A rejection ends the process as an ES module's top-level await did: the error printed, exit code 1.
void main();
