import { splitPostgresStatements } from '../dialects/postgres/postgres-statement-splitter.ts';
import type { CompiledUp } from '../engine/compile-migrations.ts';
import { lineAndColumn } from '../engine/script-error.ts';
import type { SplitStatement } from '../engine/statement-splitter.ts';
import { normalizeMigrationText } from '../sources/checksum.ts';

/**
 * One migration as lint sees it: the SQL handed to squawk, its statements,
 * and how a place in that SQL maps back to a line of the migration file.
 */
export interface LintUnit {
  readonly version: number;
  readonly name: string;
  /** Relative to the migrations folder. */
  readonly file: string;
  readonly kind: 'sql' | 'code';
  readonly transactional: boolean;
  readonly sql: string;
  readonly statements: readonly SplitStatement[];
  /** The migration file's text, where kmigrate-lint-ignore comments are read. */
  readonly fileText: string;
  /** 1-based line in the migration file for a 0-based offset into `sql`. */
  lineFor(offset: number): number;
  /** 0-based offset into `sql` of squawk's 0-based line and column. */
  offsetOf(line: number, column: number): number;
  /** Index into `statements` of the statement holding `offset`. */
  statementAt(offset: number): number;
}

export function buildLintUnit(compiled: CompiledUp, fileText: string): LintUnit {
  const text = normalizeMigrationText(fileText);
  const base = {
    version: compiled.source.version,
    name: compiled.source.name,
    file: compiled.file,
    kind: compiled.kind,
    transactional: compiled.transactional,
    fileText: text,
  };
  if (compiled.kind === 'sql') {
    const sql = compiled.statements[0] ?? '';
    // A dbmate file's up section is a slice of the file: find where it starts.
    const sectionStart = Math.max(0, text.indexOf(sql));
    const statements = splitPostgresStatements(sql);
    return {
      ...base,
      sql,
      statements,
      lineFor: (offset) => lineAndColumn(text, sectionStart + offset).line,
      offsetOf: (line, column) => offsetOf(sql, line, column),
      statementAt: (offset) => statementAt(statements, offset),
    };
  }
  // TypeScript: the compiled queries, one after the other, each on its own lines.
  const queries = compiled.statements.map((q) => q.trim().replace(/;+\s*$/, ''));
  const starts: number[] = [];
  let sql = '';
  for (const query of queries) {
    starts.push(sql.length);
    sql += `${query};\n\n`;
  }
  const queryLines = locateQueries(text, queries);
  const statements = splitPostgresStatements(sql);
  const queryAt = (offset: number) => {
    let index = 0;
    for (const [i, start] of starts.entries()) if (start <= offset) index = i;
    return index;
  };
  return {
    ...base,
    sql,
    statements,
    lineFor: (offset) => queryLines[queryAt(offset)] ?? 1,
    offsetOf: (line, column) => offsetOf(sql, line, column),
    statementAt: (offset) => statementAt(statements, offset),
  };
}

/**
 * Best-effort line of each compiled query in a TypeScript module, searched
 * inside `up`, forward from the previous query's line: the line that best
 * matches the query's opening text (raw sql`` templates) and the identifiers
 * it names as string literals (schema builder calls such as
 * createIndex('users_email_idx').on('users')). Falls back to the line of `up`.
 */
export function locateQueries(moduleText: string, queries: readonly string[]): number[] {
  const lines = moduleText.split('\n');
  const upLine = lines.findIndex((l) => /\b(function\s+up\b|up\s*[:=]\s*(async\b|\())/.test(l));
  const first = Math.max(upLine, 0);
  const downLine = lines.findIndex(
    (l, i) => i > first && /\b(function\s+down\b|down\s*[:=]\s*(async\b|\())/.test(l),
  );
  const last = downLine > first ? downLine - 1 : lines.length - 1;
  let cursor = first;
  return queries.map((query) => {
    const score = lineScorer(query);
    const found = bestLine(lines, score, cursor + 1, last) ?? bestLine(lines, score, first, cursor);
    if (found === undefined) return first + 1;
    cursor = found;
    return found + 1;
  });
}

function lineScorer(query: string): (line: string) => number {
  const opening = query.split('\n')[0]!.split('$')[0]!.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, 40);
  const identifiers = [
    ...new Set([...query.matchAll(/"((?:[^"]|"")+)"/g)].map((m) => m[1]!.replace(/""/g, '"'))),
  ];
  return (line) => {
    let score = opening.length >= 8 && line.replace(/\s+/g, ' ').toLowerCase().includes(opening) ? 10 : 0;
    for (const id of identifiers) {
      if (line.includes(`'${id}'`) || line.includes(`"${id}"`) || line.includes(`\`${id}\``)) score++;
    }
    return score;
  };
}

/** The first line in [from, to] with the highest score above 0. */
function bestLine(
  lines: string[],
  score: (line: string) => number,
  from: number,
  to: number,
): number | undefined {
  let best: number | undefined;
  let bestScore = 0;
  for (let i = from; i <= to; i++) {
    const s = score(lines[i] ?? '');
    if (s > bestScore) [best, bestScore] = [i, s];
  }
  return best;
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + column);
}

function statementAt(statements: readonly SplitStatement[], offset: number): number {
  let index = -1;
  for (const [i, s] of statements.entries()) if (s.offset <= offset) index = i;
  return Math.max(0, index);
}
