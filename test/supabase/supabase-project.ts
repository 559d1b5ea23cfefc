import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { type CliRun, runCliInProcess } from '../support/cli.ts';

/** The README's Supabase-style migration set: profiles, RLS, a trigger on auth.users, storage policies, an extension. */
export const SUPABASE_FIXTURE = path.resolve(import.meta.dirname, '../fixtures/supabase-project/migrations');

export interface SupabaseProject {
  readonly root: string;
  readonly migrations: string;
  readonly outFile: string;
  /** generated/db.ts, or undefined. */
  read(): string | undefined;
  /** The CLI in-process in this folder; scratch databases are created on the test server. */
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  cleanup(): void;
}

/**
 * A throw-away project with the fixture's migrations and a kysely.config.ts
 * holding `config` (e.g. { platform: 'supabase' }).
 */
export function supabaseProject(config: Record<string, unknown> = {}): SupabaseProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmigrate-test-supabase-'));
  const migrations = path.join(root, 'migrations');
  fs.mkdirSync(migrations);
  for (const file of fs.readdirSync(SUPABASE_FIXTURE)) {
    let text = fs.readFileSync(path.join(SUPABASE_FIXTURE, file), 'utf8');
    // The TS module imports the toolchain by a path relative to the fixture folder.
    text = text.replaceAll('../../../../src/', `${path.resolve(import.meta.dirname, '../../src')}/`);
    fs.writeFileSync(path.join(migrations, file), text);
  }
  fs.writeFileSync(path.join(root, 'kysely.config.ts'), `export default ${JSON.stringify(config)};\n`);
  const outFile = path.join(root, 'generated', 'db.ts');
  return {
    root,
    migrations,
    outFile,
    read: () => (fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : undefined),
    cli: (args, env = {}) =>
      runCliInProcess(args, {
        cwd: root,
        env: { KMIGRATE_CODEGEN_DATABASE_URL: inject('pgAdminUrl'), ...env },
      }),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
