/**
 * `npm run migrate -- <command>`: a thin door to the package bin, which runs the
 * prebuilt bundle (dist/bundle, built by `npm run build` / `prepare`) or, when
 * src/ changed since the build, the sources. tsx is already loaded by the npm
 * script, so the sources need no second loader.
 */
await import('../bin/kmigrate.cjs');
