import { dumpPostgresSchema } from './postgres/postgres-schema-dump.ts';
import type { SchemaDump, SchemaDumpOptions } from './schema-dump-types.ts';
import { dumpSqliteSchema } from './sqlite/sqlite-schema-dump.ts';

export type { SchemaDump, SchemaDumpOptions } from './schema-dump-types.ts';

/** The dialect's schema dumper (`init --from-live`). */
export function dumpSchema(options: SchemaDumpOptions): Promise<SchemaDump> {
  return options.target.dialect === 'postgres' ? dumpPostgresSchema(options) : dumpSqliteSchema(options);
}
