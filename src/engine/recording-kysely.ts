import { type CompiledQuery, type DatabaseConnection, type Driver, Kysely, type QueryResult } from 'kysely';
import type { AnyDatabase, AnyKysely } from './any-kysely.ts';

/**
 * A Kysely that compiles with the real database's dialect but executes
 * nothing: every query is recorded and answered with no rows. `--dry-run` and
 * `lint` use it to see the SQL a TypeScript migration would send.
 */
export function createRecordingKysely(real: AnyKysely): { db: AnyKysely; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const executor = real.getExecutor();
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      queries.push(query);
      return { rows: [] };
    },
    async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {},
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection;
    },
    async beginTransaction() {},
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  };
  const db = new Kysely<AnyDatabase>({
    dialect: {
      createAdapter: () => executor.adapter,
      createDriver: () => driver,
      createQueryCompiler: () => ({
        compileQuery: (
          node: Parameters<typeof executor.compileQuery>[0],
          queryId: Parameters<typeof executor.compileQuery>[1],
        ) => executor.compileQuery(node, queryId),
      }),
      createIntrospector: () => {
        throw new Error('introspection is not available in a dry run');
      },
    },
  });
  return { db, queries };
}
