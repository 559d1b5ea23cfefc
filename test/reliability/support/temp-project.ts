import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

export interface TempProject {
  /** The project folder: run the CLI with this cwd so the repo's kysely.config.ts is not picked up. */
  readonly root: string;
  /** `<root>/migrations`. */
  readonly dir: string;
  /** Writes (or replaces) a file relative to the migrations folder. */
  write(name: string, content: string | Buffer): string;
  /** Writes a file relative to the project root (e.g. kysely.config.ts). */
  writeRoot(name: string, content: string): string;
  remove(name: string): void;
  cleanup(): void;
}

/**
 * A throw-away project: a migrations folder plus a `node_modules` link to the
 * repo's, so migration modules may `import { sql } from 'kysely'` and get the
 * very module instance the CLI uses.
 */
export function createTempProject(files: Record<string, string | Buffer> = {}): TempProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-rel-'));
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // Like the repo (and most Kysely apps): .ts files are ES modules.
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  const project: TempProject = {
    root,
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    },
    writeRoot(name, content) {
      const file = path.join(root, name);
      fs.writeFileSync(file, content);
      return file;
    },
    remove(name) {
      fs.rmSync(path.join(dir, name), { force: true });
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [name, content] of Object.entries(files)) project.write(name, content);
  return project;
}
