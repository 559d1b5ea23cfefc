import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NON_TRANSACTIONAL, PostgresAdapter } from '../../src/dialects/postgres/postgres-adapter.ts';
import { splitPostgresStatements } from '../../src/dialects/postgres/postgres-statement-splitter.ts';
import { SqliteAdapter } from '../../src/dialects/sqlite/sqlite-adapter.ts';
import { splitSqliteStatements } from '../../src/dialects/sqlite/sqlite-statement-splitter.ts';
import { mayControlTransaction } from '../../src/dialects/transaction-words.ts';
import { unwrapTransaction } from '../../src/dialects/unwrap-transaction.ts';

/**
 * The word prefilters skip lexing a script that cannot hold what the lexer looks for. They
 * are only right if they never skip a script the lexer would have found something in:
 * scripts built from keywords in any case, glued to identifiers, inside strings, comments
 * and dollar quotes, with and without separators.
 */
const WORDS = [
  'begin',
  'BEGIN',
  'Start Transaction',
  'commit',
  'END',
  'rollback',
  'abort',
  'savepoint s',
  'release s',
  'prepare transaction',
  'create index concurrently i on t (a)',
  'CREATE UNIQUE INDEX CONCURRENTLY i on t (a)',
  'drop index concurrently i',
  'reindex table concurrently t',
  'vacuum',
  'create database d',
  'alter system set x = 1',
  'drop tablespace x',
  'create table t_begin (commit_at int)',
  'select 1',
  "select 'begin; commit'",
  '-- commit\n',
  '/* end */',
  '/*x*/begin',
  '$$begin$$',
  'do $$ begin perform 1; end $$',
  'insert into pending values (1)',
  'x_end',
  'begin_',
  'ends',
];
const SEPARATORS = [';', ';\n', ' ', '\n', '', '\t;'];
const script = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 8 })
  .map((parts) => parts.map(([w, s]) => w + s).join(''));

const postgres = new PostgresAdapter({});
const sqlite = new SqliteAdapter();
const CONTROL_START = /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare)\b/i;

describe('the lexing prefilters', () => {
  it('a script without a transaction word has no statement that starts with one, on either dialect', () => {
    fc.assert(
      fc.property(script, (text) => {
        if (mayControlTransaction(text)) return;
        for (const split of [splitPostgresStatements, splitSqliteStatements]) {
          expect(split(text).filter((s) => CONTROL_START.test(s.sql.trim()))).toEqual([]);
          expect(unwrapTransaction(text, split)).toBe(text);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the same non-transactional statement as lexing every script', () => {
    fc.assert(
      fc.property(script, (text) => {
        expect(postgres.findNonTransactionalStatement(text)).toBe(
          splitPostgresStatements(text).find((s) => NON_TRANSACTIONAL.test(s.sql))?.sql,
        );
        expect(sqlite.findNonTransactionalStatement(text)).toBe(
          splitSqliteStatements(text).find((s) => /^vacuum\b/i.test(s.sql))?.sql,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('still finds what is there', () => {
    expect(postgres.scriptTransactions('create table a (id int);\ncommit;')).toMatchObject({
      kind: 'refused',
      statement: { sql: 'commit' },
    });
    expect(sqlite.scriptTransactions('/*x*/savepoint s;')).toMatchObject({
      statement: { sql: 'savepoint s' },
    });
    expect(postgres.findNonTransactionalStatement('create index concurrently i on t (a)')).toBeDefined();
    expect(postgres.scriptTransactions('create table t_begin (commit_at int)')).toEqual({ kind: 'none' });
  });
});
