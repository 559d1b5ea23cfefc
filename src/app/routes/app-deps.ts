import type { MigrateOptions } from '../../index.ts';
import type { AppDatabase } from '../app-database.ts';

/** What every route needs; built once by buildApp. */
export interface AppDeps {
  readonly database: Pick<AppDatabase, 'db' | 'dialect'>;
  /** The clock: injectable so tests (and both dialects) see the same timestamps. */
  readonly now: () => Date;
  /** The migration options start-up used, so /health reads the same folder and tracking table. */
  readonly migrations: MigrateOptions;
}
