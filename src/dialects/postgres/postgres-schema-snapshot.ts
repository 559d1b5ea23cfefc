import { sql } from 'kysely';
import type { AnyKysely } from '../../engine/any-kysely.ts';
import {
  createSnapshot,
  type SchemaObject,
  type SchemaSnapshot,
  type SnapshotOptions,
} from '../../engine/schema-snapshot.ts';
import { isManagedSchema } from './managed-schemas.ts';
import { enums, functions, policies, sequences, triggers, views } from './postgres-snapshot-definitions.ts';
import { columns, constraints, indexes, tables } from './postgres-snapshot-relations.ts';
import { versionNum } from './postgres-snapshot-scope.ts';

export { indexDefinitionParts } from './postgres-snapshot-relations.ts';

/**
 * Reads PostgreSQL's catalogs into a SchemaSnapshot. Only names, definitions
 * and flags are kept, never OIDs, so two databases built by the same
 * migrations compare equal. Objects that belong to an extension (pg_depend
 * deptype 'e', e.g. pgvector's functions in public) are left out: the
 * extension, not our migrations, owns them.
 */
export async function snapshotPostgresSchema(
  db: AnyKysely,
  options: SnapshotOptions,
): Promise<SchemaSnapshot> {
  const schemas = [...new Set(options.schemas)].filter((s) => !isManagedSchema(s));
  const q = { schemas, excluded: [...options.excludeTables] };
  // One read-only snapshot of the catalogs. The pg_get_*def functions leave out
  // schemas that are on the search_path, which differs between databases
  // (Supabase sets it per database): with only pg_catalog on it, every name is
  // qualified the same way everywhere.
  const objects = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local search_path = pg_catalog`.execute(trx);
      const serverVersion = await versionNum(trx);
      return [
        ...(await tables(trx, q)),
        ...(await columns(trx, q)),
        ...(await constraints(trx, q)),
        ...(await indexes(trx, q)),
        ...(await enums(trx, q)),
        ...(await sequences(trx, q)),
        ...(await views(trx, q)),
        ...(await functions(trx, q, serverVersion)),
        ...(await triggers(trx, q)),
        ...(await policies(trx, q)),
      ] satisfies SchemaObject[];
    });
  return createSnapshot('postgres', schemas, objects);
}
