import { pathToFileURL } from 'node:url';
import { importConfigWithoutHooks } from './import-config-without-hooks.ts';

/** Set by the esbuild bundle (bin/build-cli.mjs `define`); absent in the tsc build and under tsx/vitest. */
declare const KMIGRATE_BUNDLE: boolean | undefined;

const TYPESCRIPT_FILE = /\.(ts|mts|cts)$/;

let loaderReady: Promise<void> | undefined;

/**
 * Imports a config file or migration module by path. A TypeScript file first
 * gets the loader this package brings (bin/ts-hooks.mjs: type stripping with an
 * on-disk cache), registered on the first TypeScript import only: a project of
 * SQL migrations and a .js config never loads it.
 */
export async function importFile(file: string, options: { config?: boolean } = {}): Promise<unknown> {
  if (TYPESCRIPT_FILE.test(file)) {
    // A config that imports only this package needs no loader (no module-hooks thread).
    if (options.config && !loaderReady) {
      const imported = await importConfigWithoutHooks(file);
      if (imported !== undefined) return imported;
    }
    await typeScriptLoader();
  }
  return import(pathToFileURL(file).href);
}

function typeScriptLoader(): Promise<void> {
  // Our own sources running as .ts (tsx, vitest) mean a TypeScript loader is already in place.
  if (import.meta.url.endsWith('.ts')) return Promise.resolve();
  loaderReady ??= (async () => {
    const { register } = await import('node:module');
    // Resolved through this package's own exports ("kmigrate/ts-hooks"), so the bundle's chunks and
    // the tsc build find the same file. From the bundle, `kysely` and this package's entry are
    // answered by the bundle's copies (one instance); from the API, the app's own are used.
    register('kmigrate/ts-hooks', import.meta.url, {
      data: { bundle: typeof KMIGRATE_BUNDLE !== 'undefined' && KMIGRATE_BUNDLE },
    });
  })();
  return loaderReady;
}
