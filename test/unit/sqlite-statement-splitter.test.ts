import { describe, expect, it } from 'vitest';
import { splitSqliteStatements } from '../../src/dialects/sqlite/sqlite-statement-splitter.ts';

interface SplitCase {
  readonly name: string;
  readonly script: string;
  readonly expected: readonly string[];
}

const lines = (...parts: string[]): string => parts.join('\n');

const cases: readonly SplitCase[] = [
  {
    name: 'two plain statements',
    script: 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n',
    expected: ['CREATE TABLE a (id INTEGER PRIMARY KEY)', 'CREATE TABLE b (id INTEGER PRIMARY KEY)'],
  },
  {
    name: 'semicolon in a string with doubled quotes',
    script: "INSERT INTO t VALUES ('it''s; fine');\nSELECT 1;",
    expected: ["INSERT INTO t VALUES ('it''s; fine')", 'SELECT 1'],
  },
  {
    name: 'semicolon in a "quoted" identifier with doubled quotes',
    script: 'CREATE TABLE "odd;""name" (id); SELECT 1;',
    expected: ['CREATE TABLE "odd;""name" (id)', 'SELECT 1'],
  },
  {
    name: 'semicolon in a `backtick` identifier',
    script: 'SELECT `a;b` FROM t; SELECT 2;',
    expected: ['SELECT `a;b` FROM t', 'SELECT 2'],
  },
  {
    name: 'semicolon in a [bracket] identifier',
    script: 'SELECT [a;b] FROM [my;table]; SELECT 2;',
    expected: ['SELECT [a;b] FROM [my;table]', 'SELECT 2'],
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
    name: 'block comments do not nest in SQLite',
    script: '/* outer /* inner */ SELECT 1; */',
    expected: ['SELECT 1', '*/'],
  },
  {
    name: 'trigger body with BEGIN ... END',
    script: lines(
      'CREATE TRIGGER items_touch AFTER UPDATE ON items',
      'BEGIN',
      '  UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;',
      "  INSERT INTO audit(msg) VALUES ('updated; ' || NEW.id);",
      'END;',
      'SELECT 1;',
    ),
    expected: [
      "CREATE TRIGGER items_touch AFTER UPDATE ON items\nBEGIN\n  UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;\n  INSERT INTO audit(msg) VALUES ('updated; ' || NEW.id);\nEND",
      'SELECT 1',
    ],
  },
  {
    name: 'TEMP and TEMPORARY triggers, keywords in any case',
    script: lines(
      'create temp trigger t1 after insert on items begin delete from log; end;',
      'Create Temporary Trigger If Not Exists t2 Before Delete On items Begin Select 1; Select 2; End;',
      'SELECT 3;',
    ),
    expected: [
      'create temp trigger t1 after insert on items begin delete from log; end',
      'Create Temporary Trigger If Not Exists t2 Before Delete On items Begin Select 1; Select 2; End',
      'SELECT 3',
    ],
  },
  {
    name: 'trigger body with CASE ... END and a string containing END;',
    script: lines(
      'CREATE TRIGGER check_qty BEFORE INSERT ON items BEGIN',
      "  SELECT CASE WHEN NEW.qty < 0 THEN RAISE(ABORT, 'negative; END;') END;",
      '  UPDATE "end" SET [end] = 1;',
      'END;',
      'SELECT 2;',
    ),
    expected: [
      'CREATE TRIGGER check_qty BEFORE INSERT ON items BEGIN\n  SELECT CASE WHEN NEW.qty < 0 THEN RAISE(ABORT, \'negative; END;\') END;\n  UPDATE "end" SET [end] = 1;\nEND',
      'SELECT 2',
    ],
  },
  {
    name: 'EXPLAIN CREATE TRIGGER is still a trigger',
    script: 'EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; SELECT 2;',
    expected: ['EXPLAIN CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END', 'SELECT 2'],
  },
  {
    name: 'BEGIN and END outside a trigger are transaction statements',
    script: 'BEGIN;\nINSERT INTO t VALUES (1);\nEND;\nBEGIN TRANSACTION; COMMIT;',
    expected: ['BEGIN', 'INSERT INTO t VALUES (1)', 'END', 'BEGIN TRANSACTION', 'COMMIT'],
  },
  {
    name: 'words that merely contain trigger keywords',
    script: lines(
      'CREATE TEMP TABLE trigger_log (end_at, created);',
      'CREATE TABLE "trigger" (x);',
      'CREATE VIEW triggers AS SELECT 1 AS temporary;',
      'SELECT 2;',
    ),
    expected: [
      'CREATE TEMP TABLE trigger_log (end_at, created)',
      'CREATE TABLE "trigger" (x)',
      'CREATE VIEW triggers AS SELECT 1 AS temporary',
      'SELECT 2',
    ],
  },
  {
    name: 'two triggers back to back',
    script: lines(
      'CREATE TRIGGER a AFTER INSERT ON t BEGIN INSERT INTO log VALUES (1); END;',
      'CREATE TRIGGER b AFTER DELETE ON t BEGIN INSERT INTO log VALUES (2); END;',
    ),
    expected: [
      'CREATE TRIGGER a AFTER INSERT ON t BEGIN INSERT INTO log VALUES (1); END',
      'CREATE TRIGGER b AFTER DELETE ON t BEGIN INSERT INTO log VALUES (2); END',
    ],
  },
  {
    name: 'comment-only input',
    script: '-- just a note;\n/* and another; */\n',
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
    name: 'no trailing semicolon after a trigger',
    script: 'CREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT 1; END',
    expected: ['CREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT 1; END'],
  },
  {
    name: 'CRLF line endings',
    script:
      'CREATE TABLE a (id);\r\n-- note; here\r\nCREATE TRIGGER t AFTER INSERT ON a\r\nBEGIN\r\n  SELECT 1;\r\nEND;\r\nSELECT 1\r\n',
    expected: [
      'CREATE TABLE a (id)',
      'CREATE TRIGGER t AFTER INSERT ON a\r\nBEGIN\r\n  SELECT 1;\r\nEND',
      'SELECT 1',
    ],
  },
  {
    name: 'leading comments are dropped, inner and trailing ones kept',
    script: '-- header\n/* banner; */\nSELECT 1 /* inline */ -- trailing; note\n;\n-- footer',
    expected: ['SELECT 1 /* inline */ -- trailing; note'],
  },
  {
    name: 'line comment at the very end of the last statement',
    script: 'SELECT 1; SELECT 2 -- note',
    expected: ['SELECT 1', 'SELECT 2 -- note'],
  },
  {
    name: 'unterminated block comment is a comment, as in SQLite',
    script: 'SELECT 1;\n/* never closed; SELECT 2;',
    expected: ['SELECT 1'],
  },
  {
    name: 'unterminated string runs to the end',
    script: "SELECT 'oops; SELECT 2;",
    expected: ["SELECT 'oops; SELECT 2;"],
  },
  {
    name: 'leading byte order mark is skipped',
    script: '\uFEFFCREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT 1; END;\nSELECT 2;',
    expected: ['CREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT 1; END', 'SELECT 2'],
  },
];

/** Statements as the splitter would return them: no leading comment, none ending in a line comment. */
const statementPool: readonly string[] = [
  'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "odd;""col" INT, [br;acket] INT)',
  "INSERT INTO items (name) VALUES ('it''s; fine'), ('x')",
  'SELECT /* ; */ count(*) FROM `items`',
  "SELECT 1 -- a comment; inside\n  + 2, 'x'",
  "CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN\n  INSERT INTO log VALUES ('a;b');\n  SELECT CASE WHEN 1 THEN 2 END;\nEND",
  'CREATE TEMP TRIGGER t2 BEFORE DELETE ON items BEGIN SELECT 1; END',
  'BEGIN',
  'END',
  'COMMIT',
  'EXPLAIN QUERY PLAN SELECT * FROM items',
  'CREATE TEMPORARY TABLE trigger_log (end_at)',
  'CREATE UNIQUE INDEX IF NOT EXISTS items_name ON items (name)',
  'PRAGMA foreign_keys = ON',
];

const separators: readonly string[] = [
  ';\n',
  ';',
  ' ;\r\n',
  ';\n-- note; here\n',
  ';\n/* a; b */\n',
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
  for (const statement of splitSqliteStatements(script)) {
    expect(script.slice(statement.offset).startsWith(statement.sql)).toBe(true);
  }
}

describe('splitSqliteStatements', () => {
  it.each(cases)('$name', ({ script, expected }) => {
    const statements = splitSqliteStatements(script);
    expect(statements.map((statement) => statement.sql)).toEqual(expected);
    expectOffsetsPointAtStatements(script);
  });

  it('reports the offset of the first significant character, after leading comments', () => {
    const script = '-- header\n  SELECT 1;\n\n/* c; */ SELECT 2\r\n';
    expect(splitSqliteStatements(script)).toEqual([
      { sql: 'SELECT 1', offset: script.indexOf('SELECT 1') },
      { sql: 'SELECT 2', offset: script.indexOf('SELECT 2') },
    ]);
  });

  it('re-splits a large mixed script joined with ";\\n" into the same statements', () => {
    const script = statementPool.join(';\n');
    const statements = splitSqliteStatements(script).map((statement) => statement.sql);
    expect(statements).toEqual(statementPool);
    const rejoined = statements.join(';\n');
    expect(splitSqliteStatements(rejoined).map((statement) => statement.sql)).toEqual(statements);
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
      const statements = splitSqliteStatements(script);
      expect(statements.map((statement) => statement.sql)).toEqual(picked);
      for (const statement of statements) {
        expect(script.slice(statement.offset, statement.offset + statement.sql.length)).toBe(statement.sql);
      }
    }
  });
});
