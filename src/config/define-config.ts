import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

import { PLATFORMS } from './platform.ts';

// zod/mini, not zod: the same validation, but only what is used gets bundled (the classic API
// pulls all of zod, ~570 KB, into every cold start of the CLI). Mini ships no messages: the
// English ones are the classic API's.
z.config(en());

const identifier = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, _; max 63)'));

/** 63 (PostgreSQL's NAMEDATALEN - 1) minus the length of the longest companion suffix, "_repeatables". */
export const MAX_TRACKING_TABLE_LENGTH = 63 - '_repeatables'.length;

/**
 * The tracking table's name: at most 51 characters, because its companions
 * `<table>_history` and `<table>_repeatables` must fit PostgreSQL's 63-byte
 * identifiers, or the server cuts those names — a 63-character table would get
 * a history table named like itself (#10 item 15). The same limit on SQLite,
 * so one config works on both.
 */
const trackingTableName = z
  .string()
  .check(
    z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)'),
    z.maxLength(
      MAX_TRACKING_TABLE_LENGTH,
      `is longer than ${MAX_TRACKING_TABLE_LENGTH} characters: PostgreSQL cuts identifiers at 63 bytes and "<table>_repeatables" must fit too; choose a shorter name`,
    ),
  );
const nonEmpty = () => z.string().check(z.minLength(1));
const positiveInt = (fallback: number) => z._default(z.int().check(z.positive()), fallback);
const nonNegativeInt = (fallback: number) => z._default(z.int().check(z.nonnegative()), fallback);

/** Durations are milliseconds. */
export const configSchema = z.strictObject({
  /** Database URL used when neither --url nor DATABASE_URL is given. */
  databaseUrl: z.optional(nonEmpty()),
  /** Folder holding NNN_description.ts and NNN_description.up.sql/.down.sql files. */
  migrationsDir: z._default(nonEmpty(), 'migrations'),
  /** Folder of development seeds (SQL files and TS modules exporting `seed(db)`), run by `seed` and `reset`. */
  seedsDir: z._default(nonEmpty(), 'seeds'),
  /** Tracking table. Validated as an identifier of at most 51 characters; always quoted in SQL. */
  table: z._default(trackingTableName, 'schema_migrations'),
  /** PostgreSQL schema that holds the tracking table and that drift compares. */
  schema: z._default(identifier, 'public'),
  /** How long to wait for another migrator's lock before giving up (exit 4). */
  lockTimeoutMs: positiveInt(60_000),
  /**
   * PostgreSQL: SET LOCAL lock_timeout for each attempt of a migration's DDL: the
   * longest the application's queries queue behind it before it rolls back and retries.
   */
  statementLockTimeoutMs: nonNegativeInt(2_000),
  /** PostgreSQL: SET LOCAL statement_timeout for each migration (0 = none). */
  statementTimeoutMs: nonNegativeInt(0),
  /**
   * Upper bound for one migration step (0 = none). A step still running then
   * fails (rolled back, or dirty when non-transactional); on PostgreSQL it is also
   * the step's statement_timeout (unless statementTimeoutMs is set) and its
   * idle_in_transaction_session_timeout, so the server frees an abandoned step's locks.
   */
  stepTimeoutMs: nonNegativeInt(3_600_000),
  /**
   * How many times a migration that hit lock_timeout is retried (jittered backoff,
   * 250 ms doubling to 5 s), never past lockTimeoutMs in total; then exit 4 naming the blocker.
   */
  lockRetries: nonNegativeInt(10),
  /** PostgreSQL: fail a connection attempt after this long instead of hanging. */
  connectTimeoutMs: positiveInt(10_000),
  /**
   * Check migrations/kmigrate.sum before touching a database. true: required;
   * false: never checked or written; unset: checked when the file exists.
   */
  integritySum: z.optional(z.boolean()),
  /**
   * The hosted platform the migrations are written for. 'supabase': every
   * scratch database (drift, verify, codegen) first gets a stand-in of what
   * Supabase provides (auth.users, storage, its roles, the extensions schema).
   */
  platform: z.optional(z.enum(PLATFORMS)),
  /** generated/schema.sql: the schema the migrations build, for review (`kmigrate schema dump`). */
  schemaFile: z.prefault(
    z.object({
      outFile: z._default(nonEmpty(), 'generated/schema.sql'),
      /** The scratch database it is built on (production's dialect by default). */
      dialect: z._default(z.enum(['postgres', 'sqlite']), 'postgres'),
      /** Rewrite it after latest/up/down in development (skipped when the migrations are unchanged). */
      afterMigrate: z._default(z.boolean(), true),
    }),
    {},
  ),
  codegen: z.prefault(
    z.object({
      /** Where kysely-codegen writes the typed DB interface. */
      outFile: z._default(nonEmpty(), 'generated/db.ts'),
      /** Regenerate types after latest/up/down in development. */
      afterMigrate: z._default(z.boolean(), true),
      /**
       * Platform tables to type too (left out by default: the migrations do
       * not own them), e.g. ['auth.users'] to type joins with it.
       */
      platformTables: z._default(
        z.array(
          z
            .string()
            .check(z.regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'must be schema.table, e.g. auth.users')),
        ),
        [],
      ),
    }),
    {},
  ),
});

export type MigrateConfigInput = z.input<typeof configSchema>;
export type MigrateConfig = z.output<typeof configSchema>;

/** Typed helper for kysely.config.ts: `export default defineConfig({ ... })`. */
export function defineConfig(config: MigrateConfigInput): MigrateConfigInput {
  return config;
}
