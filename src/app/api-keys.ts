import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../generated/db.ts';

/** Keys look like `km_` + 32 url-safe characters (192 random bits). */
const KEY_PREFIX = 'km_';
/** How much of a key is kept in clear to tell keys apart in a list: not enough to guess the rest. */
const DISPLAY_PREFIX_LENGTH = 10;

/** Only this digest is stored; the key itself is shown once, when it is created. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export interface CreatedApiKey {
  id: number;
  /** The key in clear: give it to the caller now, it cannot be recovered later. */
  key: string;
  prefix: string;
}

export async function createApiKey(db: Kysely<DB>, projectId: number, name: string): Promise<CreatedApiKey> {
  const key = generateApiKey();
  const prefix = key.slice(0, DISPLAY_PREFIX_LENGTH);
  const row = await db
    .insertInto('project_api_keys')
    .values({ project_id: projectId, name, key_hash: hashApiKey(key), key_prefix: prefix })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, key, prefix };
}

export async function revokeApiKey(db: Kysely<DB>, keyId: number, at: Date = new Date()): Promise<void> {
  await db.updateTable('project_api_keys').set({ revoked_at: at }).where('id', '=', keyId).execute();
}

/** The project a key belongs to, or undefined for an unknown or revoked key. */
export async function projectForApiKey(db: Kysely<DB>, key: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('project_api_keys')
    .select('project_id')
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.project_id;
}
