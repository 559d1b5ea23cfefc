import { type CompiledQuery, createQueryId } from 'kysely';

/** A write as the tracking store hands it out (TrackingWrite, structurally: this file stays below the store). */
interface Compilable {
  compile(): CompiledQuery;
}

/**
 * The two writes of every step (its tracking row, its history row), built
 * with Kysely's builder and compiled once per store: later ones reuse the
 * first one's SQL with their own values. Kept only when the first one's
 * parameters were exactly its values, in column order (nothing else became a
 * parameter). A store serves one run's database, so the SQL (dialect, schema,
 * plugins) is the same for every call. Building and compiling both inserts was
 * ≈ 100 ms per 1000 migrations of the bin's main thread (bench/notes.md, session 8).
 */
export class WriteTemplates<Kind extends string> {
  readonly #compiled = new Map<Kind, CompiledQuery>();

  /** `values` in the order the builder writes its columns; `build` only runs for the first of a kind. */
  write(kind: Kind, values: readonly unknown[], build: () => Compilable): Compilable {
    const template = this.#compiled.get(kind);
    if (template) {
      return {
        compile: () => ({
          sql: template.sql,
          query: template.query,
          parameters: values,
          queryId: createQueryId(),
        }),
      };
    }
    // Compiled now, not when sent: the next writes of its kind (a batch builds a hundred before
    // sending any) then reuse it.
    const compiled = build().compile();
    const same =
      compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
    if (same) this.#compiled.set(kind, compiled);
    return { compile: () => compiled };
  }
}
