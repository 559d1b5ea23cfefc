import { afterEach, beforeEach, describe } from 'vitest';
import { createTestDatabase, DIALECTS, type Dialect, type TestDatabase } from './databases.ts';

export interface DialectContext {
  readonly dialect: Dialect;
  /** This test's own fresh database (new for every test). */
  readonly database: TestDatabase;
}

/**
 * Conformance style: the same test bodies run against every dialect, each
 * test with a fresh real database.
 */
export function describeEachDialect(title: string, body: (ctx: DialectContext) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${title} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeEach(async () => {
        database = await createTestDatabase(dialect);
      });
      afterEach(async () => {
        await database?.drop();
        database = undefined;
      });
      body({
        dialect,
        get database() {
          if (!database) throw new Error('database is only available inside a test');
          return database;
        },
      });
    });
  }
}
