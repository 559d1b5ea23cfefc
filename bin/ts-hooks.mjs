/**
 * Module hooks (node:module register) that let the bundled CLI import
 * kysely.config.ts and TypeScript migration modules. tsx would do too, but
 * registering it costs ~130 ms and it also transforms the 1.7 MB bundle; this
 * only strips types from .ts files, caching the output on disk so a warm start
 * never loads esbuild.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TS = /\.(ts|mts|cts)$/;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = (file) => pathToFileURL(path.join(ROOT, 'dist', 'bundle', file)).href;
/**
 * Modules the bundle already holds, answered from it instead of being loaded a
 * second time: this package's own sources that a config file imports
 * (`defineConfig` from 'kmigrate', i.e. dist/index.js, or this repository's
 * ./src/config/define-config.ts; either would also bring a second zod, ~100 ms),
 * and the project's `kysely`
 * imported by TS migration modules (~600 files; one instance with the CLI's).
 * Only the exact files this package resolves are mapped, so a different
 * kysely installed elsewhere is left alone.
 */
const BUNDLED = new Map([
  [pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href, DIST('index.mjs')],
  [pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href, DIST('index.mjs')],
  [pathToFileURL(path.join(ROOT, 'src', 'config', 'define-config.ts')).href, DIST('index.mjs')],
]);
/** The project's kysely entry, resolved once with the loader's own resolver (import.meta.resolve is not here in Node 20). */
let kyselyMapped;
const CACHE_DIR = path.join(os.tmpdir(), `kmigrate-ts-cache-${process.getuid?.() ?? 'user'}`);
let esbuild;

let useBundle = true;

/**
 * `register(url, { data: { bundle: false } })`: plain type stripping, no module answered from the bundle
 * (what the embedding API registers: an app's migrations then share the app's own kysely).
 */
export function initialize(data) {
  if (data?.bundle === false) useBundle = false;
}

export async function resolve(specifier, context, next) {
  // A config's `import { defineConfig } from 'kmigrate'` is this package, even run through npx
  // in a project that has not installed it (yet): answered by the bundle, no lookup at all.
  if (useBundle && specifier === 'kmigrate')
    return { url: DIST('index.mjs'), format: 'module', shortCircuit: true };
  try {
    const resolved = await next(specifier, context);
    if (!useBundle) return resolved;
    kyselyMapped ??= next('kysely', {
      ...context,
      parentURL: pathToFileURL(path.join(ROOT, 'package.json')).href,
    })
      .then((k) => BUNDLED.set(k.url, DIST('kysely.mjs')))
      .catch(() => undefined);
    await kyselyMapped;
    const bundled = BUNDLED.get(resolved.url);
    return bundled ? { url: bundled, format: 'module', shortCircuit: true } : resolved;
  } catch (error) {
    // TypeScript habits: `./x.js` meaning x.ts, extensionless `./x`, and a folder `./db` meaning its index
    // (Node refuses a folder with ERR_UNSUPPORTED_DIR_IMPORT; tsx and kysely-ctl load it).
    const parent = context.parentURL && new URL(context.parentURL);
    const fromTs = parent?.protocol === 'file:' && TS.test(parent.pathname);
    const retried = error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!fromTs || !retried) throw error;
    if (/^\.{1,2}\//.test(specifier)) {
      const found = await firstResolved(spellings(specifier), context, next);
      if (found) return found;
      throw error;
    }
    // A bare specifier the project's tsconfig.json maps (`paths`, `baseUrl`: `@/db/x`, `src/utils`), as
    // tsc, tsx and kysely-ctl read it; only after Node's own resolution found nothing.
    if (!/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith('/')) {
      for (const mapped of await tsconfigPaths(specifier, fileURLToPath(parent))) {
        const found = await firstResolved(
          spellings(mapped).map((p) => pathToFileURL(p).href),
          context,
          next,
        );
        if (found) return found;
      }
    }
    throw error;
  }
}

/** The files a TypeScript import of `base` may mean, in the order tsc tries them. */
function spellings(specifier) {
  const base = specifier.replace(/\.(js|mjs)$/, '').replace(/\/$/, '');
  return [
    specifier,
    `${base}.ts`,
    `${base}.mts`,
    `${base}/index.ts`,
    `${base}/index.mts`,
    `${base}.js`,
    `${base}/index.js`,
  ];
}

async function firstResolved(candidates, context, next) {
  for (const candidate of candidates) {
    try {
      return await next(candidate, context);
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

/** tsconfig.json's `paths`/`baseUrl` matcher for a folder (get-tsconfig: `extends`, comments), cached. */
const pathsMatchers = new Map();
let getTsconfig;
async function tsconfigPaths(specifier, parentFile) {
  const dir = path.dirname(parentFile);
  if (!pathsMatchers.has(dir)) {
    getTsconfig ??= await import('get-tsconfig');
    const found = getTsconfig.getTsconfig(dir);
    pathsMatchers.set(dir, found ? getTsconfig.createPathsMatcher(found) : null);
  }
  return pathsMatchers.get(dir)?.(specifier) ?? [];
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const source = fs.readFileSync(file, 'utf8');
  const key = createHash('sha1').update(file).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.mjs`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    esbuild ??= await import('esbuild');
    const result = await esbuild.transform(source, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcefile: file,
      sourcemap: 'inline',
    });
    code = result.code;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write-then-rename: concurrent starters never read a half-written file.
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
  }
  return { format: 'module', source: code, shortCircuit: true };
}
