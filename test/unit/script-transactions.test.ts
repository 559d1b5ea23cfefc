import { describe, expect, it } from 'vitest';
import { PostgresAdapter } from '../../src/dialects/postgres/postgres-adapter.ts';
import { SqliteAdapter } from '../../src/dialects/sqlite/sqlite-adapter.ts';

/**
 * How a script's own transaction statements are read (scriptTransactions): nothing or a plain
 * whole-file wrapper runs in the engine's transaction; complete BEGIN … COMMIT blocks of its own run
 * outside it, as written; anything else that ends or nests a transaction is refused.
 */
const adapters = { postgres: new PostgresAdapter(), sqlite: new SqliteAdapter() };

describe.each(Object.entries(adapters))('scriptTransactions on %s', (dialect, adapter) => {
  const kind = (script: string) => adapter.scriptTransactions(script).kind;
  const refused = (script: string) => {
    const found = adapter.scriptTransactions(script);
    return found.kind === 'refused' ? [found.reason, found.statement.sql] : found.kind;
  };

  it('no transaction statement, or only a plain whole-file wrapper: none', () => {
    expect(kind('create table a (id int);')).toBe('none');
    expect(kind('BEGIN;\ncreate table a (id int);\nCOMMIT;\n')).toBe('none');
    expect(kind('-- note\nSTART TRANSACTION;\ncreate table a (id int);\nEND')).toBe('none');
    expect(kind("insert into a values ('begin; commit');\n-- commit;\n")).toBe('none');
  });

  it('complete BEGIN … COMMIT blocks of its own (ente’s migrations): own, naming the first BEGIN', () => {
    const ente =
      'create table a (id int);\nBEGIN;\nalter table a add b int;\nCOMMIT;\n\nBEGIN;\nalter table a add c int;\nCOMMIT;\n';
    expect(adapter.scriptTransactions(ente)).toEqual({
      kind: 'own',
      statement: { sql: 'BEGIN', offset: 25 },
    });
    // Two blocks filling the file: not one wrapper.
    expect(kind('BEGIN;\ncreate table a (id int);\nCOMMIT;\nBEGIN;\ncreate table b (id int);\nCOMMIT;')).toBe(
      'own',
    );
    expect(kind('begin;\ncreate table b (id int);\ncommit;\ncreate table c (id int);\n')).toBe('own');
    expect(
      kind('begin;\nsavepoint s;\ncreate table b (id int);\nrelease s;\nrollback to savepoint s;\ncommit;'),
    ).toBe('own');
  });

  it('a wrapper with modes is a block of its own, run as written (its isolation level kept)', () => {
    const modes =
      dialect === 'postgres'
        ? 'BEGIN ISOLATION LEVEL SERIALIZABLE;\ncreate table a (id int);\nCOMMIT;'
        : 'BEGIN IMMEDIATE;\ncreate table a (id int);\nCOMMIT;';
    expect(kind(modes)).toBe('own');
  });

  it('a statement that ends or nests a transaction outside a block of its own: refused, naming it', () => {
    expect(refused('create table b (id int);\ncommit;\ncreate table c (id int);')).toEqual([
      'control',
      'commit',
    ]);
    expect(refused('create table b (id int);\nsavepoint s1;')).toEqual(['control', 'savepoint s1']);
    expect(refused('begin;\ncreate table b (id int);')).toEqual(['control', 'begin']);
    expect(refused('begin;\nbegin;\ncommit;\ncommit;')).toEqual(['control', 'begin']);
    expect(refused('begin;\ncreate table b (id int);\nrollback;')).toEqual(['control', 'rollback']);
    expect(refused('create table b (id int);\nend;')).toEqual(['control', 'end']);
  });

  it('a statement that cannot run in a transaction inside a block: refused (it fails under psql too)', () => {
    const statement = dialect === 'postgres' ? 'create index concurrently i on t (a)' : 'vacuum';
    expect(refused(`BEGIN;\n${statement};\nCOMMIT;\n`)).toEqual(['non-transactional-in-block', statement]);
    // Outside any block it is fine: the file runs outside a transaction (findNonTransactionalStatement).
    expect(kind(`BEGIN;\ncreate table t (a int);\nCOMMIT;\n${statement};\n`)).toBe('own');
  });
});

describe('scriptTransactions on PostgreSQL only', () => {
  const postgres = adapters.postgres;
  it('bodies never count: DO blocks, functions, BEGIN ATOMIC', () => {
    expect(postgres.scriptTransactions('do $$ begin commit; end $$;').kind).toBe('none');
    expect(
      postgres.scriptTransactions(
        'create function g() returns integer language sql begin atomic select 1; end;',
      ).kind,
    ).toBe('none');
  });
  it('COMMIT AND CHAIN keeps a block open; COMMIT PREPARED is never a block of its own', () => {
    expect(postgres.scriptTransactions('begin;\nselect 1;\ncommit and chain;\nselect 2;\ncommit;').kind).toBe(
      'own',
    );
    expect(postgres.scriptTransactions("select 1;\ncommit prepared 'x';").kind).toBe('refused');
  });
});
