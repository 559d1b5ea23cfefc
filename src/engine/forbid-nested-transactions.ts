import type { AnyKysely } from './any-kysely.ts';
import { NestedTransactionError } from './errors.ts';

/** Methods that return another Kysely instance, which must stay guarded. */
const DERIVING = new Set<PropertyKey>(['withPlugin', 'withoutPlugins', 'withSchema', 'withTables']);
const OPENING = new Set<PropertyKey>(['transaction', 'startTransaction']);

/**
 * The Kysely a transactional TS step receives. Its `transaction()` throws
 * before sending anything: on the step's one connection a nested BEGIN would be
 * ignored (PostgreSQL) and its COMMIT would commit half of the migration
 * without its tracking row.
 */
export function forbidNestedTransactions(db: AnyKysely, file: string): AnyKysely {
  return new Proxy(db, {
    get(target, property) {
      if (OPENING.has(property)) {
        return () => {
          throw new NestedTransactionError(file, String(property));
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Kysely keeps its state in #private fields: methods must run on the real instance.
      if (DERIVING.has(property)) {
        return (...args: unknown[]) =>
          forbidNestedTransactions((value as (...a: unknown[]) => AnyKysely).apply(target, args), file);
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
