/**
 * The public errors, one barrel: each carries the data a user (or a script)
 * needs, a one-line message that says what to do next, and the CLI exit code
 * (1 database/migration failed, 2 bad usage/config/files, 4 refused by state,
 * 130/143 stopped by SIGINT/SIGTERM: interrupted-error.ts).
 * Grouped by what went wrong in ./errors/.
 */

export {
  ConfirmationRequiredError,
  DevelopmentOnlyError,
  NotConfirmedError,
  NotMigratedError,
  SeedFailedError,
} from './errors/command-errors.ts';
export {
  IntegritySumError,
  MigrationFileError,
  MissingDownError,
  UnknownVersionError,
} from './errors/file-errors.ts';
export {
  AheadOfFolderError,
  type ChangedMigration,
  ChecksumMismatchError,
  ConflictingMigrationError,
  DirtyDatabaseError,
  ForceRefusedError,
  HistoryChangedError,
  OutOfOrderError,
  TrackingTableError,
} from './errors/history-errors.ts';
export { MigrateError, oneLine } from './errors/migrate-error.ts';
export {
  BatchOutcomeUnknownError,
  ConnectionError,
  LockTimeoutError,
  MigrationFailedError,
  NestedTransactionError,
  PoolerRefusedError,
  RunNotDurableError,
  StepTimeoutError,
  TransactionCheckClearedError,
  TransactionEndedError,
} from './errors/run-errors.ts';
