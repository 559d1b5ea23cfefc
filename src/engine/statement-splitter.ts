/** One statement of an SQL script, with where it starts in the original text. */
export interface SplitStatement {
  /** The statement text, without the terminating semicolon. */
  readonly sql: string;
  /** 0-based offset of the statement's first character in the script. */
  readonly offset: number;
}

/**
 * A dialect's lexer-aware splitter: never a naive split on ';'. Quotes,
 * comments, dollar quotes, trigger and BEGIN ATOMIC bodies are respected.
 * Comment-only/blank pieces are dropped.
 */
export type StatementSplitter = (script: string) => readonly SplitStatement[];
