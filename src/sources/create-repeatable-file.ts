import fs from 'node:fs';
import path from 'node:path';
import { MigrationFileError } from '../engine/errors.ts';
import { formatRepeatableId } from './migration-name.ts';

const SQL_TEMPLATE = (description: string) => `-- ${description}
-- A repeatable migration: applied after the versioned ones whenever this file changes, in a
-- transaction, never reverted. Write it so it can run again on top of itself:
-- create or replace view / function, drop policy if exists … then create policy …
`;

const MODULE_TEMPLATE = `import type { Kysely } from 'kysely';

// A repeatable migration: applied after the versioned ones whenever this file changes, in a
// transaction, never reverted (no down). Write it so it can run again on top of itself:
// create or replace view / function, drop … if exists, then create.

// biome-ignore lint/suspicious/noExplicitAny: repeatables see the schema the migrations built, not the generated types.
export async function up(db: Kysely<any>): Promise<void> {
  // await sql\`create or replace view active_users as select * from users where active\`.execute(db);
}
`;

export interface CreatedRepeatable {
  /** `R__active_users`. */
  readonly id: string;
  /** Absolute path of the file written. */
  readonly file: string;
}

/**
 * Writes `R__<description>.sql` (or `.ts` with `ts`). Never overwrites: a
 * repeatable of that name (in either format) is an error naming it.
 */
export function createRepeatableFile(
  folder: string,
  description: string,
  options: { ts?: boolean } = {},
): CreatedRepeatable {
  fs.mkdirSync(folder, { recursive: true });
  const id = formatRepeatableId(description);
  if (id === 'R__' || id.endsWith('_'))
    throw new MigrationFileError(description, 'has no letters or digits to name a file with');
  const existing = fs.readdirSync(folder).find((f) => f.replace(/\.[^.]+$/, '') === id);
  if (existing)
    throw new MigrationFileError(
      existing,
      'already exists',
      'edit it: a repeatable is applied again when it changes',
    );
  const file = path.join(folder, `${id}.${options.ts ? 'ts' : 'sql'}`);
  fs.writeFileSync(file, options.ts ? MODULE_TEMPLATE : SQL_TEMPLATE(description), { flag: 'wx' });
  return { id, file };
}
