/**
 * A package-lock.json for a temporary app that installs this package's tarball,
 * built from this repository's own lockfile: every version and integrity is one
 * `npm ci` already put in the npm cache, so `npm ci --offline` installs the app
 * without the registry (a fresh CI machine has the tarballs cached, but not the
 * registry metadata a plain `npm install --offline` would need to resolve ranges).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: 3;
  requires: true;
  packages: Record<string, LockEntry>;
}

export interface AppLockOptions {
  /** This repository's package-lock.json. */
  repoLock: string;
  /** This repository's package.json (the tarball's manifest). */
  repoManifest: string;
  /** The tarball, referenced as `file:<name>` from the app folder. */
  tarball: string;
  tarballName: string;
  /** Other packages the app depends on, at the versions this repository locks. */
  extra: readonly string[];
}

/** Returns the app's package.json dependencies and its lockfile. */
export function appLockfile(options: AppLockOptions): {
  dependencies: Record<string, string>;
  lock: Lockfile;
} {
  const repo = JSON.parse(fs.readFileSync(options.repoLock, 'utf8')) as Lockfile;
  const manifest = JSON.parse(fs.readFileSync(options.repoManifest, 'utf8')) as LockEntry & { name: string };
  const packages: Record<string, LockEntry> = {};

  const copy = (from: string, name: string): void => {
    const at = locate(repo, from, name);
    if (!at || packages[at]) return;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = repo.packages[at]!;
    packages[at] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) copy(at, dep);
    // npm installs non-optional peers too.
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      if (!entry.peerDependenciesMeta?.[dep]?.optional) copy(at, dep);
  };

  const dependencies: Record<string, string> = { [manifest.name]: `file:${options.tarballName}` };
  for (const name of options.extra) {
    const at = locate(repo, '', name);
    if (!at) throw new Error(`${name} is not in ${options.repoLock}`);
    dependencies[name] = repo.packages[at]!.version!;
  }
  const tarballPath = `node_modules/${manifest.name}`;
  packages[tarballPath] = {
    version: manifest.version,
    resolved: `file:${options.tarballName}`,
    integrity: `sha512-${createHash('sha512').update(fs.readFileSync(options.tarball)).digest('base64')}`,
    license: manifest.license,
    ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
    ...(manifest.bin ? { bin: manifest.bin } : {}),
    ...(manifest.engines ? { engines: manifest.engines } : {}),
    ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
    ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) copy('', dep);
  for (const name of options.extra) copy('', name);

  return {
    dependencies,
    lock: {
      name: 'kmigrate-adoption-app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'kmigrate-adoption-app', version: '1.0.0', dependencies },
        ...Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))),
      },
    },
  };
}

/** Node's lookup: `<from>/node_modules/<name>`, then each enclosing node_modules, then the top. */
function locate(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('node_modules/');
    base = cut <= 0 ? '' : base.slice(0, cut - 1);
  }
}
