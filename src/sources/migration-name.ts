import { PRISMA_MIGRATION } from './prisma-layout.ts';

/**
 * Naming rules. A migration file is `<digits>_<description>.<ext>`:
 *   001_init_schema.ts (.mts .js .mjs)     a Kysely module with up/down
 *   001_init_schema.up.sql / .down.sql     golang-migrate's pair
 *   001_init_schema.sql                    dbmate's single file (-- migrate:up / -- migrate:down)
 * The version is the leading digits, any width. The description may hold dots
 * (golang-migrate allows them; Harbor names files `0002_1.7.0_schema.up.sql`).
 *   20240101120000_init/migration.sql      Prisma Migrate's folder (prisma-layout.ts)
 * Files starting with `.` or `_` and files that look nothing like a migration
 * (README.md) are ignored.
 */
export type MigrationFileKind = 'module' | 'up.sql' | 'down.sql' | 'sql';

export type ParsedName =
  | { ok: true; version: number; description: string; id: string; kind: MigrationFileKind }
  | { ok: false; ignored: true }
  | { ok: false; ignored: false; problem: string };

// Lazy: the shortest description that leaves a known extension, so `x.up.sql` is x's up, not `x.up`'s dbmate file.
// The version and the description are separated by `_` (golang-migrate, dbmate, kysely-ctl) or `-` (Kysely
// apps that name their own files: immich's `1744910873969-InitialMigration.ts`).
const NAME = /^(\d+)([_-])([A-Za-z0-9][A-Za-z0-9_.-]*?)\.(up\.sql|down\.sql|sql|ts|mts|js|mjs)$/;
/** `2024-01-15-add-users.ts`: a date with dashes, whose year alone would be the version. */
const DASHED_DATE = /^\d{4}-\d{2}-\d{2}\b/;
const MIGRATION_LIKE = /^\d|\.(sql|ts|mts|js|mjs)$/;
/** Scripts and notes that folders of other tools keep next to their migrations (homebox's `…_generate_migration.py`). */
const HELPER = /\.(py|sh|rb|md|json|ya?ml|toml)$/i;

export const NAMING_RULE =
  'name it NNN_description.ts or NNN_description.up.sql/.down.sql (digits, then _ or -, then letters, digits, _ - .)';

export function parseMigrationName(file: string): ParsedName {
  if (file.startsWith('.') || file.startsWith('_') || file.endsWith('.d.ts'))
    return { ok: false, ignored: true };
  // Prisma Migrate's `<timestamp>_<name>/migration.sql` (prisma-layout.ts): an up with no down.
  const prisma = PRISMA_MIGRATION.exec(file);
  if (prisma) {
    const [, digits = '', description = ''] = prisma;
    if (!Number.isSafeInteger(Number(digits)))
      return {
        ok: false,
        ignored: false,
        problem: `version ${digits} is too large (max ${Number.MAX_SAFE_INTEGER})`,
      };
    return { ok: true, version: Number(digits), description, id: `${digits}_${description}`, kind: 'sql' };
  }
  // A repeatable migration (R__name.sql): not a versioned one, read by parseRepeatableName.
  if (parseRepeatableName(file)) return { ok: false, ignored: true };
  // goose's Go migrations sit next to its SQL ones: skipping one would skip a migration.
  if (/^\d+_.*\.go$/.test(file))
    return {
      ok: false,
      ignored: false,
      problem:
        'is a Go migration (goose), which kmigrate cannot run; rewrite it as SQL or as a TypeScript module',
    };
  if (!MIGRATION_LIKE.test(file) || HELPER.test(file)) return { ok: false, ignored: true };
  if (DASHED_DATE.test(file))
    return {
      ok: false,
      ignored: false,
      problem: `starts with a date written with dashes, so its version would be the year alone; write the date as digits (${file.replace(/^(\d{4})-(\d{2})-(\d{2})[-_]?/, '$1$2$3_')})`,
    };
  const match = NAME.exec(file);
  if (!match)
    return { ok: false, ignored: false, problem: `does not follow the naming rule; ${NAMING_RULE}` };
  const [, digits = '', , description = '', ext = ''] = match;
  const version = Number(digits);
  if (!Number.isSafeInteger(version)) {
    return {
      ok: false,
      ignored: false,
      problem: `version ${digits} is too large (max ${Number.MAX_SAFE_INTEGER})`,
    };
  }
  const kind: MigrationFileKind = ext === 'up.sql' || ext === 'down.sql' || ext === 'sql' ? ext : 'module';
  const suffix = kind === 'module' ? `.${ext}` : `.${ext}`;
  return { ok: true, version, description, id: file.slice(0, -suffix.length), kind };
}

/** The name `create` writes: 3-digit zero-padded version (wider when needed), snake_case description. */
export function formatMigrationId(version: number, description: string): string {
  const slug = description
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${String(version).padStart(3, '0')}_${slug}`;
}

/** A repeatable migration's name (Flyway's convention): `R__<description>.sql` or `.ts` (`.mts .js .mjs`). */
export interface RepeatableName {
  /** `active_users`. */
  description: string;
  /** `R__active_users`: the name without extension, as tracked. */
  id: string;
  kind: 'sql' | 'module';
}

const REPEATABLE = /^R__([A-Za-z0-9][A-Za-z0-9_-]*)\.(sql|ts|mts|js|mjs)$/;

/** The parts of `R__<description>.<ext>`, or undefined for any other name (which parseMigrationName judges). */
export function parseRepeatableName(file: string): RepeatableName | undefined {
  const match = REPEATABLE.exec(file);
  if (!match || file.endsWith('.d.ts')) return undefined;
  const [, description = '', ext = ''] = match;
  return { description, id: `R__${description}`, kind: ext === 'sql' ? 'sql' : 'module' };
}

/** The name `create --repeatable` writes: `R__<snake_case description>`. */
export function formatRepeatableId(description: string): string {
  return `R__${formatMigrationId(0, description).replace(/^\d+_/, '')}`;
}
