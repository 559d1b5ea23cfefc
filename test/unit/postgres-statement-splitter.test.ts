import { describe, expect, it } from 'vitest';
import { splitPostgresStatements } from '../../src/dialects/postgres/postgres-statement-splitter.ts';

interface SplitCase {
  readonly name: string;
  readonly script: string;
  readonly expected: readonly string[];
}

const lines = (...parts: string[]): string => parts.join('\n');

const cases: readonly SplitCase[] = [
  {
    name: 'two plain statements',
    script: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n',
    expected: ['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)'],
  },
  {
    name: 'semicolon in a string with doubled quotes',
    script: "INSERT INTO t VALUES ('it''s; fine');\nSELECT 1;",
    expected: ["INSERT INTO t VALUES ('it''s; fine')", 'SELECT 1'],
  },
  {
    name: 'semicolon in a quoted identifier with doubled quotes',
    script: 'CREATE TABLE "odd;""name" (id int); SELECT 1;',
    expected: ['CREATE TABLE "odd;""name" (id int)', 'SELECT 1'],
  },
  {
    name: 'string containing comment starters',
    script: "SELECT '-- not a comment; /* nor this'; SELECT 2;",
    expected: ["SELECT '-- not a comment; /* nor this'", 'SELECT 2'],
  },
  {
    name: 'semicolon in a line comment inside a statement',
    script: 'SELECT 1 -- not the end; really\n  + 1;\nSELECT 2;',
    expected: ['SELECT 1 -- not the end; really\n  + 1', 'SELECT 2'],
  },
  {
    name: 'semicolon in a block comment',
    script: 'SELECT /* ; */ 1; SELECT 2;',
    expected: ['SELECT /* ; */ 1', 'SELECT 2'],
  },
  {
    name: 'block comments nest',
    script: 'SELECT /* outer /* inner; */ still comment; */ 1; SELECT 2;',
    expected: ['SELECT /* outer /* inner; */ still comment; */ 1', 'SELECT 2'],
  },
  {
    name: "E'' string with an escaped quote",
    script: String.raw`SELECT E'it\'s; fine'; SELECT 2;`,
    expected: [String.raw`SELECT E'it\'s; fine'`, 'SELECT 2'],
  },
  {
    name: "E'' string ending in an escaped backslash",
    script: String.raw`SELECT e'C:\\'; SELECT 2;`,
    expected: [String.raw`SELECT e'C:\\'`, 'SELECT 2'],
  },
  {
    name: 'backslash is literal in a standard string',
    script: String.raw`SELECT 'C:\'; SELECT 2;`,
    expected: [String.raw`SELECT 'C:\'`, 'SELECT 2'],
  },
  {
    name: 'E prefix only counts at the start of a word (time is a typed literal)',
    script: String.raw`SELECT time'12:00\'; SELECT 2;`,
    expected: [String.raw`SELECT time'12:00\'`, 'SELECT 2'],
  },
  {
    name: 'E string continued on the next line keeps backslash escapes (as the server lexes it)',
    script: "SELECT E'first'\n'\\'; still the string'; SELECT 2;",
    expected: ["SELECT E'first'\n'\\'; still the string'", 'SELECT 2'],
  },
  {
    name: 'U&\'\' string and U&"" identifier',
    script: String.raw`SELECT U&'d\0061t\+000061;' AS U&"semi;colon"; SELECT 2;`,
    expected: [String.raw`SELECT U&'d\0061t\+000061;' AS U&"semi;colon"`, 'SELECT 2'],
  },
  {
    name: "B'' and X'' strings",
    script: "SELECT B'10;10', X'1F;'; SELECT 2;",
    expected: ["SELECT B'10;10', X'1F;'", 'SELECT 2'],
  },
  {
    name: 'semicolon in a $$ dollar quote',
    script: "SELECT $$a; b 'unbalanced$$; SELECT 2;",
    expected: ["SELECT $$a; b 'unbalanced$$", 'SELECT 2'],
  },
  {
    name: '$tag$ dollar quote containing $$',
    script: lines(
      'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $fn$',
      '  SELECT $$inner; text$$ || $x$;$x$;',
      '$fn$;',
      'SELECT f();',
    ),
    expected: [
      'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $fn$\n  SELECT $$inner; text$$ || $x$;$x$;\n$fn$',
      'SELECT f()',
    ],
  },
  {
    name: 'positional parameters are not dollar quotes',
    script: 'PREPARE q(int, int) AS SELECT $1+$2, $1$2; EXECUTE q(1, 2);',
    expected: ['PREPARE q(int, int) AS SELECT $1+$2, $1$2', 'EXECUTE q(1, 2)'],
  },
  {
    name: '$ inside an identifier does not start a dollar quote',
    script: 'SELECT 1 AS a$b$; SELECT 2 AS c$$;',
    expected: ['SELECT 1 AS a$b$', 'SELECT 2 AS c$$'],
  },
  {
    name: 'DO block',
    script: lines(
      'DO $$',
      'BEGIN',
      '  PERFORM 1;',
      "  RAISE NOTICE 'done; it''s over';",
      'END',
      '$$;',
      'SELECT 2;',
    ),
    expected: ["DO $$\nBEGIN\n  PERFORM 1;\n  RAISE NOTICE 'done; it''s over';\nEND\n$$", 'SELECT 2'],
  },
  {
    name: 'plpgsql function in $fn$ followed by a trigger',
    script: lines(
      'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$',
      'BEGIN',
      '  NEW.updated_at := now();',
      '  RETURN NEW;',
      'END;',
      '$fn$;',
      'CREATE TRIGGER touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();',
    ),
    expected: [
      'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$fn$',
      'CREATE TRIGGER touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()',
    ],
  },
  {
    name: 'BEGIN ATOMIC body with CASE ... END',
    script: lines(
      'CREATE FUNCTION grade(score int) RETURNS text',
      'LANGUAGE sql',
      'BEGIN ATOMIC',
      "  SELECT 'graded';",
      "  SELECT CASE WHEN score >= 90 THEN 'A' ELSE CASE WHEN score >= 80 THEN 'B' END END;",
      'END;',
      'SELECT grade(95);',
    ),
    expected: [
      "CREATE FUNCTION grade(score int) RETURNS text\nLANGUAGE sql\nBEGIN ATOMIC\n  SELECT 'graded';\n  SELECT CASE WHEN score >= 90 THEN 'A' ELSE CASE WHEN score >= 80 THEN 'B' END END;\nEND",
      'SELECT grade(95)',
    ],
  },
  {
    name: 'CREATE OR REPLACE PROCEDURE with BEGIN ATOMIC, keywords in any case',
    script: lines(
      'create or replace procedure add_item(n text)',
      'language sql',
      'Begin Atomic',
      '  insert into items(name) values (n);',
      "  insert into audit(msg) values ('added; ' || n);",
      'eNd;',
      "CALL add_item('x');",
    ),
    expected: [
      "create or replace procedure add_item(n text)\nlanguage sql\nBegin Atomic\n  insert into items(name) values (n);\n  insert into audit(msg) values ('added; ' || n);\neNd",
      "CALL add_item('x')",
    ],
  },
  {
    name: 'BEGIN outside a routine is a transaction, not a block',
    script: 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;',
    expected: ['BEGIN', 'CREATE TABLE t (id int)', 'COMMIT'],
  },
  {
    name: 'CASE ... END outside a routine',
    script: 'SELECT CASE WHEN true THEN 1 END;\nSELECT 2;',
    expected: ['SELECT CASE WHEN true THEN 1 END', 'SELECT 2'],
  },
  {
    name: 'CREATE OR REPLACE VIEW is not a routine',
    script: 'CREATE OR REPLACE VIEW v AS SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;',
    expected: ['CREATE OR REPLACE VIEW v AS SELECT 1', 'BEGIN', 'SELECT 2', 'COMMIT'],
  },
  {
    name: 'begin inside words, strings, quoted identifiers or parentheses does not open a block',
    script: lines(
      `CREATE FUNCTION "begin"(begin int, beginning int) RETURNS text LANGUAGE sql RETURN 'begin' || $1;`,
      'SELECT 2;',
    ),
    expected: [
      `CREATE FUNCTION "begin"(begin int, beginning int) RETURNS text LANGUAGE sql RETURN 'begin' || $1`,
      'SELECT 2',
    ],
  },
  {
    name: 'semicolons inside parentheses (multi-action rule) do not end the statement',
    script: lines(
      'CREATE RULE log_insert AS ON INSERT TO items DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));',
      'SELECT 2;',
    ),
    expected: [
      'CREATE RULE log_insert AS ON INSERT TO items DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2))',
      'SELECT 2',
    ],
  },
  {
    name: 'row level security policy',
    script: lines(
      'ALTER TABLE items ENABLE ROW LEVEL SECURITY;',
      'CREATE POLICY "owner can read; write" ON items FOR ALL TO authenticated',
      '  USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid());',
    ),
    expected: [
      'ALTER TABLE items ENABLE ROW LEVEL SECURITY',
      'CREATE POLICY "owner can read; write" ON items FOR ALL TO authenticated\n  USING (owner_id = auth.uid()) WITH CHECK (owner_id = auth.uid())',
    ],
  },
  {
    name: 'CREATE INDEX CONCURRENTLY',
    script: lines(
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_name_idx ON items (lower(name));',
      "CREATE UNIQUE INDEX CONCURRENTLY items_code_idx ON items (code) WHERE code <> ';';",
    ),
    expected: [
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS items_name_idx ON items (lower(name))',
      "CREATE UNIQUE INDEX CONCURRENTLY items_code_idx ON items (code) WHERE code <> ';'",
    ],
  },
  {
    name: 'enum type with quoted labels',
    script:
      "CREATE TYPE mood AS ENUM ('sad', 'ok;', 'it''s fine');\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok;';",
    expected: [
      "CREATE TYPE mood AS ENUM ('sad', 'ok;', 'it''s fine')",
      "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok;'",
    ],
  },
  {
    name: 'COMMENT ON with quotes',
    script: String.raw`COMMENT ON TABLE items IS 'Things; and "stuff"';
COMMENT ON COLUMN items."na;me" IS E'multi\nline; \'quoted\'';`,
    expected: [
      `COMMENT ON TABLE items IS 'Things; and "stuff"'`,
      String.raw`COMMENT ON COLUMN items."na;me" IS E'multi\nline; \'quoted\''`,
    ],
  },
  {
    name: 'comment-only input',
    script: '-- just a note;\n/* and /* another; */ one */\n',
    expected: [],
  },
  { name: 'empty input', script: '', expected: [] },
  { name: 'only whitespace and empty statements', script: '  ;\n ; ;\t\n', expected: [] },
  {
    name: 'no trailing semicolon',
    script: 'SELECT 1;\nSELECT 2\n',
    expected: ['SELECT 1', 'SELECT 2'],
  },
  {
    name: 'CRLF line endings',
    script: 'CREATE TABLE a (id int);\r\n-- note; here\r\nINSERT INTO a VALUES (1);\r\nSELECT 1\r\n',
    expected: ['CREATE TABLE a (id int)', 'INSERT INTO a VALUES (1)', 'SELECT 1'],
  },
  {
    name: 'leading comments are dropped, inner and trailing ones kept',
    script: '-- header\n/* banner; */\nSELECT 1 /* inline */ -- trailing; note\n;\n-- footer',
    expected: ['SELECT 1 /* inline */ -- trailing; note'],
  },
  {
    name: 'comment between statements with dollar and quote characters',
    script: "SELECT 1; /* it's $$ not a quote */ SELECT 2;",
    expected: ['SELECT 1', 'SELECT 2'],
  },
  {
    name: 'unterminated block comment is content, so the server reports it',
    script: 'SELECT 1;\n/* never closed; SELECT 2;',
    expected: ['SELECT 1', '/* never closed; SELECT 2;'],
  },
  {
    name: 'unterminated string runs to the end',
    script: "SELECT 'oops; SELECT 2;",
    expected: ["SELECT 'oops; SELECT 2;"],
  },
  {
    name: 'unterminated dollar quote runs to the end',
    script: 'DO $body$ BEGIN; SELECT 2;',
    expected: ['DO $body$ BEGIN; SELECT 2;'],
  },
  {
    name: 'psql meta-commands are left as statement text',
    script: '\\set ON_ERROR_STOP on\nSELECT 1;',
    expected: ['\\set ON_ERROR_STOP on\nSELECT 1'],
  },
  {
    name: 'leading byte order mark is skipped so BEGIN ATOMIC is still recognised',
    script: '\uFEFFCREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nSELECT 2;',
    expected: ['CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END', 'SELECT 2'],
  },
];

/** Statements as the splitter would return them: no leading comment, none ending in a line comment. */
const statementPool: readonly string[] = [
  'CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL, "odd;""col" int)',
  "INSERT INTO items (name) VALUES ('it''s; fine'), (E'back\\'slash;')",
  'SELECT /* outer /* nested; */ ; */ count(*) FROM items',
  "SELECT 1 -- a comment; inside\n  + 2, 'x'",
  'DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$',
  'CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN\n  RETURN $$a;b$$;\nEND;\n$fn$',
  "CREATE OR REPLACE FUNCTION g(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 'pos;' ELSE 'neg' END;\nEND",
  'BEGIN',
  'COMMIT',
  'CREATE POLICY "read; own" ON items USING (owner = current_user)',
  'CREATE INDEX CONCURRENTLY items_name_idx ON items (name)',
  "CREATE TYPE mood AS ENUM ('a;', 'b')",
  "COMMENT ON TABLE items IS 'semi; colon'",
  'PREPARE q AS SELECT $1::int + $2',
  'SELECT 1 AS a$b$',
  String.raw`SELECT U&'\0041;' AS U&"x;y"`,
  'CREATE RULE r AS ON DELETE TO items DO ALSO (SELECT 1; SELECT 2)',
  'SELECT CASE WHEN true THEN 1 END',
];

const separators: readonly string[] = [
  ';\n',
  ';',
  ' ;\r\n',
  ';\n-- note; here\n',
  ';\n/* a; /* nested */ */\n',
  ';;\n\n',
];

/** Small deterministic PRNG (mulberry32), so a failure always reproduces. */
function randomGenerator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function expectOffsetsPointAtStatements(script: string): void {
  for (const statement of splitPostgresStatements(script)) {
    expect(script.slice(statement.offset).startsWith(statement.sql)).toBe(true);
  }
}

describe('splitPostgresStatements', () => {
  it.each(cases)('$name', ({ script, expected }) => {
    const statements = splitPostgresStatements(script);
    expect(statements.map((statement) => statement.sql)).toEqual(expected);
    expectOffsetsPointAtStatements(script);
  });

  it('reports the offset of the first significant character, after leading comments', () => {
    const script = '-- header\n  SELECT 1;\n\n/* c; */ SELECT 2\r\n';
    expect(splitPostgresStatements(script)).toEqual([
      { sql: 'SELECT 1', offset: script.indexOf('SELECT 1') },
      { sql: 'SELECT 2', offset: script.indexOf('SELECT 2') },
    ]);
  });

  it('re-splits a large mixed script joined with ";\\n" into the same statements', () => {
    const script = statementPool.join(';\n');
    const statements = splitPostgresStatements(script).map((statement) => statement.sql);
    expect(statements).toEqual(statementPool);
    const rejoined = statements.join(';\n');
    expect(splitPostgresStatements(rejoined).map((statement) => statement.sql)).toEqual(statements);
    expectOffsetsPointAtStatements(script);
  });

  it('splits randomly assembled scripts back into their statements', () => {
    const random = randomGenerator(20240611);
    for (let run = 0; run < 300; run++) {
      const picked = Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(statementPool, random));
      let script = '';
      for (const [index, sql] of picked.entries()) {
        const isLast = index === picked.length - 1;
        script += sql + (isLast && random() < 0.5 ? '' : pick(separators, random));
      }
      const statements = splitPostgresStatements(script);
      expect(statements.map((statement) => statement.sql)).toEqual(picked);
      for (const statement of statements) {
        expect(script.slice(statement.offset, statement.offset + statement.sql.length)).toBe(statement.sql);
      }
    }
  });
});
