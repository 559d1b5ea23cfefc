import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import type { AnyKysely } from './any-kysely.ts';

/**
 * Remembers the last query a TypeScript migration sent, so a failure can name
 * the statement, not only the database's message.
 */
export class StatementRecorder implements KyselyPlugin {
  #last: PluginTransformQueryArgs | undefined;

  transformQuery(args: PluginTransformQueryArgs): PluginTransformQueryArgs['node'] {
    this.#last = args;
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** SQL of the last query, compiled with `db`'s dialect. */
  lastStatement(db: AnyKysely): string | undefined {
    if (!this.#last) return undefined;
    try {
      return db.getExecutor().compileQuery(this.#last.node, this.#last.queryId).sql;
    } catch {
      return undefined;
    }
  }
}
