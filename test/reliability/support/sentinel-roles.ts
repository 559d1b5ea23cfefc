import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The password every bad-input URL carries; no output may ever contain it. */
export const SENTINEL_PASSWORD = 'S3ntinel-Pw-9q';

/**
 * Login roles for one test file, on the run's PostgreSQL: `owner` (owns each
 * test database, password = the sentinel), `readonly` (CONNECT + SELECT only)
 * and `wrongpw` (whose real password is NOT the sentinel). Names are random
 * so parallel files never collide; drop() removes them.
 */
export class SentinelRoles {
  readonly owner: string;
  readonly readonly: string;
  readonly wrongpw: string;

  constructor(private readonly adminUrl: string) {
    const suffix = randomBytes(4).toString('hex');
    this.owner = `kmt_owner_${suffix}`;
    this.readonly = `kmt_ro_${suffix}`;
    this.wrongpw = `kmt_wrongpw_${suffix}`;
  }

  async create(): Promise<void> {
    await this.#admin(async (c) => {
      await c.query(`create role ${this.owner} login password '${SENTINEL_PASSWORD}'`);
      await c.query(`create role ${this.readonly} login password '${SENTINEL_PASSWORD}'`);
      await c.query(
        `create role ${this.wrongpw} login password 'not-the-sentinel-${randomBytes(4).toString('hex')}'`,
      );
    });
  }

  /** Hands a test database to `owner` (PostgreSQL 15+: the owner may create in public). */
  async adopt(databaseUrl: string): Promise<string> {
    const name = new URL(databaseUrl).pathname.slice(1);
    await this.#admin((c) => c.query(`alter database ${name} owner to ${this.owner}`));
    return this.urlFor(databaseUrl, this.owner);
  }

  /** `readonly` may connect to the database and select from its tables, nothing else. */
  async grantReadOnly(databaseUrl: string): Promise<string> {
    const name = new URL(databaseUrl).pathname.slice(1);
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      await c.query(`revoke all on database ${name} from public`);
      await c.query(`revoke all on schema public from public`);
      await c.query(`grant connect on database ${name} to ${this.readonly}`);
      await c.query(`grant usage on schema public to ${this.readonly}`);
      await c.query(`grant select on all tables in schema public to ${this.readonly}`);
    } finally {
      await c.end();
    }
    return this.urlFor(databaseUrl, this.readonly);
  }

  /** The database URL for `role`, with the sentinel password. */
  urlFor(databaseUrl: string, role: string): string {
    const url = new URL(databaseUrl);
    url.username = role;
    url.password = SENTINEL_PASSWORD;
    return url.toString();
  }

  async drop(): Promise<void> {
    await this.#admin(async (c) => {
      for (const role of [this.owner, this.readonly, this.wrongpw]) {
        await c.query(`drop owned by ${role} cascade`).catch(() => undefined);
        await c.query(`drop role if exists ${role}`).catch(() => undefined);
      }
    });
  }

  async #admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
}
