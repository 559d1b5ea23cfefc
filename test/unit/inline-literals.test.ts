/** Tracking writes inlined for a multi-statement query: only real placeholders become literals. */
import { type CompiledQuery, createQueryId, RawNode } from 'kysely';
import { expect, it } from 'vitest';
import { inlineLiterals } from '../../src/dialects/postgres/postgres-inline-literals.ts';

function write(sql: string, parameters: unknown[]) {
  const compiled: CompiledQuery = {
    sql,
    parameters,
    query: RawNode.createWithSql(sql),
    queryId: createQueryId(),
  };
  return { compile: () => compiled };
}

it('replaces $n outside quoted identifiers and strings, values escaped', async () => {
  const text = await inlineLiterals(
    write(`insert into "s$1"."t""$2" ("a", "b", "c", "d") values ($1, $2, '$3'' $4', $10)`, [
      7,
      `o'brien\\ $1`,
      null,
      ...Array.from({ length: 6 }, () => 0),
      new Date('2026-01-02T03:04:05.000Z'),
    ]),
  );
  expect(text).toBe(
    `insert into "s$1"."t""$2" ("a", "b", "c", "d") values (7,  E'o''brien\\\\ $1', '$3'' $4', '2026-01-02T03:04:05.000Z')`,
  );
});

it('gives the same text for the same query with other values (the cached split)', async () => {
  const sql = 'update "t" set "state" = $1, "ok" = $2 where "version" = $3';
  expect(await inlineLiterals(write(sql, ['applied', true, 3n]))).toBe(
    `update "t" set "state" = 'applied', "ok" = true where "version" = 3`,
  );
  expect(await inlineLiterals(write(sql, [undefined, false, 4]))).toBe(
    `update "t" set "state" = null, "ok" = false where "version" = 4`,
  );
});

it('writes every string exactly as pg.escapeLiteral does (the quote-only shortcut included)', async () => {
  const { default: pg } = await import('pg');
  const fc = await import('fast-check');
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: fc.constantFrom('a', "'", '\\', ' ', 'é', '$', '1', '"', '\n') }),
      fc.string({ unit: 'grapheme' }),
      async (shaped, any) => {
        for (const value of [shaped, any]) {
          expect(await inlineLiterals(write('select $1', [value]))).toBe(`select ${pg.escapeLiteral(value)}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});
