import { MissingPackageError } from './missing-package-error.ts';

/**
 * Imports an optional peer dependency. `load` is a literal `() => import('pg')`
 * so bundlers and the resolver see the specifier; when the package itself is
 * missing (not one of its own imports), the error names it and how to install it.
 */
export async function importPeer<T>(
  packageName: string,
  purpose: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPackageError(packageName, purpose, { cause: error });
    throw error;
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // "Cannot find package 'pg' imported from …" (ESM) / "Cannot find module 'pg'" (CommonJS).
  const message = (error as Error).message;
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}
