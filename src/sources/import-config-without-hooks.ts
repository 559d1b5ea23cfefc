import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Set by the esbuild bundle (bin/build-cli.mjs `define`); absent in the tsc build and under tsx/vitest. */
declare const KMIGRATE_BUNDLE: boolean | undefined;

/** Bump when the compiled form changes: old cache entries are then never read. */
const FORMAT = 'config-without-hooks 1';
/** The TypeScript loader's cache folder (bin/ts-hooks.mjs), shared: one place to clear. */
const CACHE_DIR = path.join(os.tmpdir(), `kmigrate-ts-cache-${process.getuid?.() ?? 'user'}`);

/** Why a config cannot go without the loader: it imports something only the loader can answer. */
class NeedsLoader extends Error {}

/**
 * A TypeScript config (kysely.config.ts) imported without registering the
 * TypeScript module hooks — Node 20 runs them on a thread of their own, which
 * cost ≈ 80 ms of a 270 ms `status` in a project. Only for the CLI's bundle,
 * and only when the config imports nothing but this package (`kmigrate`, or
 * its own define-config/index sources in this repository) and Node's own
 * modules: the config is
 * compiled once (esbuild, types stripped, those imports pointed at the
 * bundle's entry, `import.meta.url` kept the config's own) into a cached
 * .mjs keyed by the config's path and text, and imported from there. Anything
 * else (a helper file, dotenv, …) returns undefined: the loader handles it.
 */
export async function importConfigWithoutHooks(file: string): Promise<unknown> {
  if (typeof KMIGRATE_BUNDLE === 'undefined' || !KMIGRATE_BUNDLE) return undefined;
  const entry = new URL('./index.mjs', import.meta.url).href;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const source = fs.readFileSync(file, 'utf8');
  const key = createHash('sha1').update(`${FORMAT}\0${file}\0${entry}\0`).update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.config.mjs`);
  if (!fs.existsSync(cached)) {
    const code = await compile(file, entry, root);
    if (code === undefined) return undefined;
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      // Write-then-rename: concurrent starters never import a half-written file.
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // No writable temporary folder: the loader's way still works.
      return undefined;
    }
  }
  return import(pathToFileURL(cached).href);
}

/** The config as one ES module importing only the bundle's entry, or undefined when it needs the loader. */
async function compile(file: string, entry: string, root: string): Promise<string | undefined> {
  const esbuild = await import('esbuild');
  // This package's own sources a config of this repository imports (bin/ts-hooks.mjs answers the same).
  const ours = new Set(
    ['src/index.ts', 'src/config/define-config.ts', 'dist/index.js'].map((p) => path.join(root, p)),
  );
  const url = pathToFileURL(file).href;
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      // The config keeps its own location: `new URL('./x', import.meta.url)` means next to it.
      define: {
        'import.meta.url': JSON.stringify(url),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(path.dirname(file)),
      },
      plugins: [
        {
          name: 'only-this-package',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return undefined;
              if (args.path === 'kmigrate') return { path: entry, external: true };
              // Node's own modules resolve the same from anywhere.
              if (isBuiltin(args.path)) return { path: args.path, external: true };
              if (/^\.{1,2}\//.test(args.path)) {
                const target = path.resolve(args.resolveDir, args.path);
                if (ours.has(target)) return { path: entry, external: true };
              }
              throw new NeedsLoader(args.path);
            });
          },
        },
      ],
    });
    return result.outputFiles?.[0]?.text;
  } catch {
    // NeedsLoader (reported by esbuild as a build error), or a config esbuild cannot read: the
    // loader's path says what is wrong with it, as before.
    return undefined;
  }
}
