import { describe, expect, it } from 'vitest';
import { splitPostgresStatements } from '../../src/dialects/postgres/postgres-statement-splitter.ts';
import { splitSqliteStatements } from '../../src/dialects/sqlite/sqlite-statement-splitter.ts';
import { unwrapTransaction } from '../../src/dialects/unwrap-transaction.ts';

describe('unwrapTransaction', () => {
  it('blanks a wrapping BEGIN/COMMIT and keeps offsets and lines', () => {
    const script = 'BEGIN;\ncreate table a (id int);\ninsert into a values (1);\nCOMMIT;\n';
    const out = unwrapTransaction(script, splitPostgresStatements);
    expect(out).toHaveLength(script.length);
    expect(out.split('\n')).toHaveLength(script.split('\n').length);
    expect(splitPostgresStatements(out).map((s) => s.sql)).toEqual([
      'create table a (id int)',
      'insert into a values (1)',
    ]);
    expect(splitPostgresStatements(out)[1]!.offset).toBe(script.indexOf('insert'));
  });

  it('recognises START TRANSACTION / END and BEGIN TRANSACTION ... COMMIT WORK', () => {
    for (const [b, c] of [
      ['START TRANSACTION', 'END'],
      ['begin transaction', 'commit work'],
    ]) {
      const out = unwrapTransaction(`${b};\nselect 1;\n${c};`, splitPostgresStatements);
      expect(splitPostgresStatements(out).map((s) => s.sql)).toEqual(['select 1']);
    }
  });

  it('leaves scripts alone when the wrap is partial or absent, and never touches DO blocks or BEGIN ATOMIC', () => {
    const cases = [
      'create table a (id int);\nCOMMIT;',
      'BEGIN;\ncreate table a (id int);',
      "DO $$ BEGIN RAISE NOTICE 'x'; END $$;",
      'create function f() returns int language sql begin atomic select 1; end;',
      'begin;',
      // Modes ask for a transaction the engine's is not: such a file runs its own (transaction-control.ts).
      'begin isolation level serializable;\nselect 1;\ncommit;',
      'BEGIN IMMEDIATE;\nselect 1;\nCOMMIT;',
    ];
    for (const script of cases) expect(unwrapTransaction(script, splitPostgresStatements)).toBe(script);
  });

  it('works with the SQLite splitter (triggers stay intact)', () => {
    const script =
      'BEGIN TRANSACTION;\ncreate table a (id int);\ncreate trigger t after insert on a begin update a set id = 1; end;\nCOMMIT;';
    const out = unwrapTransaction(script, splitSqliteStatements);
    expect(splitSqliteStatements(out)).toHaveLength(2);
  });
});
