import { importPeer } from '../../config/import-peer.ts';

/** Set by the esbuild bundle (bin/build-cli.mjs `define`): true only in the CLI's bundle. */
declare const KMIGRATE_BUNDLE: boolean | undefined;

/**
 * Loads the `pg` peer. On Node 20, pg's module-level Cloudflare check finds no
 * `navigator` global and builds a fetch `Response` to probe, which loads all of
 * undici: ~30 ms of a ~200 ms CLI start, for nothing. Node 21+ has
 * `navigator.userAgent`, and pg reads it first. In the CLI's bundle only (never
 * inside an app that embeds the API), while pg's modules evaluate, Node 20 is
 * given the answer Node 21 has; the global is removed right after.
 */
export async function loadPg(): Promise<typeof import('pg')> {
  const lend = typeof KMIGRATE_BUNDLE !== 'undefined' && KMIGRATE_BUNDLE && !('navigator' in globalThis);
  if (lend) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
      configurable: true,
    });
  }
  try {
    return await importPeer('pg', 'PostgreSQL', () => import('pg'));
  } finally {
    if (lend) Reflect.deleteProperty(globalThis, 'navigator');
  }
}
