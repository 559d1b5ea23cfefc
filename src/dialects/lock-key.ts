import { createHash } from 'node:crypto';

/**
 * A stable signed 64-bit advisory-lock key for (schema, table), so two apps
 * with different tracking tables in one database never block each other.
 */
export function advisoryLockKey(schema: string, table: string): string {
  const digest = createHash('sha256').update(`kmigrate:${schema}.${table}`).digest();
  return digest.readBigInt64BE(0).toString();
}
