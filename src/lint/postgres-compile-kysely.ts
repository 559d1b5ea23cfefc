import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { AnyDatabase, AnyKysely } from '../engine/any-kysely.ts';

/**
 * A PostgreSQL Kysely that can compile but never connects. Lint always
 * checks PostgreSQL's SQL, even when the configured database is SQLite, so
 * modules that branch on dialectOf(db) take their PostgreSQL path.
 */
export function createPostgresCompileKysely(): AnyKysely {
  return new Kysely<AnyDatabase>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
