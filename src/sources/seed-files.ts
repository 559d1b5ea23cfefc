import fs from 'node:fs';
import nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyKysely } from '../engine/any-kysely.ts';
import { MigrationFileError } from '../engine/errors.ts';
import type { MigrationStep } from '../engine/types.ts';
import { normalizeMigrationText } from './checksum.ts';
import { isBlank } from './sql-file.ts';

/**
 * Seeds: development data in `seeds/` (config `seedsDir`), SQL files or
 * TypeScript modules exporting `seed(db)`, run in name order, each in its own
 * transaction. They run every time `seed` (or `reset`) runs, so the contract
 * is that each one is idempotent: `INSERT … ON CONFLICT DO NOTHING`, upserts,
 * or a check first. Nothing records that a seed ran.
 */
export interface SeedSource {
  /** File name inside the seeds folder. */
  readonly file: string;
  readonly kind: 'sql' | 'ts';
  load(): Promise<MigrationStep>;
}

const SEED_FILE = /\.(sql|ts|mts|js|mjs)$/;

/** The seeds in name (code-unit) order; an absent folder means no seeds. */
export function loadSeeds(folder: string): SeedSource[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .map(String)
    .filter((f) => SEED_FILE.test(f) && !f.endsWith('.d.ts') && !f.startsWith('.') && !f.startsWith('_'))
    .filter((f) => fs.statSync(nodePath.join(folder, f)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((file): SeedSource => {
      const absolute = nodePath.join(folder, file);
      if (file.endsWith('.sql')) {
        return {
          file,
          kind: 'sql',
          load: async () => {
            const text = normalizeMigrationText(fs.readFileSync(absolute, 'utf8'));
            if (isBlank(text))
              throw new MigrationFileError(file, 'is an empty seed', 'write the SQL or remove it');
            return { kind: 'sql', file, sql: text };
          },
        };
      }
      return { file, kind: 'ts', load: () => loadSeedModule(file, absolute) };
    });
}

async function loadSeedModule(file: string, absolute: string): Promise<MigrationStep> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new MigrationFileError(file, `cannot be loaded: ${(error as Error).message?.split('\n')[0]}`);
  }
  const fn = typeof mod.seed === 'function' ? mod.seed : mod.default;
  if (typeof fn !== 'function') {
    throw new MigrationFileError(
      file,
      'does not export a seed function',
      'add `export async function seed(db: Kysely<any>)`',
    );
  }
  return { kind: 'code', file, run: (db: AnyKysely) => (fn as (db: AnyKysely) => Promise<void>)(db) };
}

/** The name `create --seed` writes: the next free 3-digit prefix, like migrations. */
export function nextSeedPrefix(folder: string): number {
  const numbers = loadSeeds(folder)
    .map((s) => /^(\d+)_/.exec(s.file)?.[1])
    .filter((d): d is string => d !== undefined)
    .map(Number);
  return (numbers.length ? Math.max(...numbers) : 0) + 1;
}
