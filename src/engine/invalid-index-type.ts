/** An index the database keeps but does not use (PostgreSQL: pg_index.indisvalid = false). */
export interface InvalidIndex {
  readonly schema: string;
  readonly name: string;
  readonly table: string;
}
