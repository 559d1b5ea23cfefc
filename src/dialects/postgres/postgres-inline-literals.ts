import { createQueryId, PostgresQueryCompiler } from 'kysely';
import type { TrackingWrite } from '../../engine/tracking-store.ts';
import { loadPg } from './load-pg.ts';

/**
 * Compiles a tracking query with its values as literals (for a multi-statement
 * query, which cannot carry parameters): Kysely's own PostgreSQL compiler, with
 * every parameter written by pg's escapeLiteral — correct whatever
 * standard_conforming_strings says — instead of as `$n`.
 */
export async function inlineLiterals(write: TrackingWrite): Promise<string> {
  // pg is loaded lazily everywhere, so that a SQLite cold start never evaluates it; and once:
  // a dynamic import per call costs more than compiling the query (it runs twice per step).
  compiler ??= new LiteralCompiler((await loadPg()).default.escapeLiteral);
  return compiler.compileQuery(write.toOperationNode(), createQueryId()).sql;
}

let compiler: LiteralCompiler | undefined;

class LiteralCompiler extends PostgresQueryCompiler {
  readonly #quote: (text: string) => string;
  constructor(quote: (text: string) => string) {
    super();
    this.#quote = quote;
  }
  protected override appendValue(value: unknown): void {
    if (value === null || value === undefined) this.append('null');
    else if (typeof value === 'number' && Number.isFinite(value)) this.append(String(value));
    else if (typeof value === 'bigint') this.append(value.toString());
    else if (typeof value === 'boolean') this.append(value ? 'true' : 'false');
    else if (value instanceof Date) this.append(this.#quote(value.toISOString()));
    else this.append(this.#quote(String(value)));
  }
}
