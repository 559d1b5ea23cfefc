import { z } from 'zod';
import { PLATFORMS } from './platform.ts';

/** Durations are milliseconds. */
export const configSchema = z
  .object({
    /** Database URL used when neither --url nor DATABASE_URL is given. */
    databaseUrl: z.string().min(1).optional(),
    /** Folder holding NNN_description.ts and NNN_description.up.sql/.down.sql files. */
    migrationsDir: z.string().min(1).default('migrations'),
    /** Folder of development seeds (SQL files and TS modules exporting `seed(db)`), run by `seed` and `reset`. */
    seedsDir: z.string().min(1).default('seeds'),
    /** Tracking table. Validated as an identifier; always quoted in SQL. */
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, _; max 63)')
      .default('schema_migrations'),
    /** PostgreSQL schema that holds the tracking table and that drift compares. */
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, _; max 63)')
      .default('public'),
    /** How long to wait for another migrator's lock before giving up (exit 4). */
    lockTimeoutMs: z.number().int().positive().default(60_000),
    /** PostgreSQL: SET LOCAL lock_timeout for each migration's DDL. */
    statementLockTimeoutMs: z.number().int().nonnegative().default(5_000),
    /** PostgreSQL: SET LOCAL statement_timeout for each migration (0 = none). */
    statementTimeoutMs: z.number().int().nonnegative().default(0),
    /**
     * Upper bound for one migration step (0 = none). A step still running then
     * fails (rolled back, or dirty when non-transactional); on PostgreSQL it is also
     * the step's statement_timeout (unless statementTimeoutMs is set) and its
     * idle_in_transaction_session_timeout, so the server frees an abandoned step's locks.
     */
    stepTimeoutMs: z.number().int().nonnegative().default(3_600_000),
    /** How many times a migration that hit lock_timeout is retried, with backoff. */
    lockRetries: z.number().int().nonnegative().default(3),
    /** PostgreSQL: fail a connection attempt after this long instead of hanging. */
    connectTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * Check migrations/kmigrate.sum before touching a database. true: required;
     * false: never checked or written; unset: checked when the file exists.
     */
    integritySum: z.boolean().optional(),
    /**
     * The hosted platform the migrations are written for. 'supabase': every
     * scratch database (drift, verify, codegen) first gets a stand-in of what
     * Supabase provides (auth.users, storage, its roles, the extensions schema).
     */
    platform: z.enum(PLATFORMS).optional(),
    /** generated/schema.sql: the schema the migrations build, for review (`kmigrate schema dump`). */
    schemaFile: z
      .object({
        outFile: z.string().min(1).default('generated/schema.sql'),
        /** The scratch database it is built on (production's dialect by default). */
        dialect: z.enum(['postgres', 'sqlite']).default('postgres'),
        /** Rewrite it after latest/up/down in development (skipped when the migrations are unchanged). */
        afterMigrate: z.boolean().default(true),
      })
      .prefault({}),
    codegen: z
      .object({
        /** Where kysely-codegen writes the typed DB interface. */
        outFile: z.string().min(1).default('generated/db.ts'),
        /** Regenerate types after latest/up/down in development. */
        afterMigrate: z.boolean().default(true),
        /**
         * Platform tables to type too (left out by default: the migrations do
         * not own them), e.g. ['auth.users'] to type joins with it.
         */
        platformTables: z
          .array(
            z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'must be schema.table, e.g. auth.users'),
          )
          .default([]),
      })
      .prefault({}),
  })
  .strict();

export type MigrateConfigInput = z.input<typeof configSchema>;
export type MigrateConfig = z.output<typeof configSchema>;

/** Typed helper for kysely.config.ts: `export default defineConfig({ ... })`. */
export function defineConfig(config: MigrateConfigInput): MigrateConfigInput {
  return config;
}
