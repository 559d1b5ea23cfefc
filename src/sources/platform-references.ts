import fs from 'node:fs';
import path from 'node:path';
import { platformHint, supabaseReferences } from '../config/platform.ts';
import type { MigrationSource } from '../engine/types.ts';

/**
 * One hint line per migration that uses what Supabase provides (auth.users,
 * storage.objects, its roles, the extensions schema) while no platform is
 * configured: on a plain scratch database it fails, or a guarded migration
 * silently builds less than production has. Reads the files; runs nothing.
 */
export function platformReferenceHints(
  migrationsPath: string,
  sources: readonly MigrationSource[],
): string[] {
  const hints: string[] = [];
  for (const source of sources) {
    const text = source.files.map((f) => readText(path.join(migrationsPath, f))).join('\n');
    const references = supabaseReferences(text);
    if (references.length) hints.push(`hint: ${platformHint(source.files[0] ?? source.id, references)}`);
  }
  return hints;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
