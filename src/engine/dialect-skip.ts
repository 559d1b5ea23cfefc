import type { MigrationSource } from './types.ts';

/**
 * A migration limited to other dialects (`-- kmigrate:dialects postgres`) is
 * recorded on this one as applied, with its checksum, and not run: history
 * stays one list (the same versions on every database of the project), and
 * the note says why in the history row, the run's result and `status`.
 * Returns the note, or undefined when the migration runs here.
 */
export function dialectSkipNote(
  source: Pick<MigrationSource, 'dialects'>,
  dialect: string,
): string | undefined {
  if (!source.dialects || source.dialects.includes(dialect)) return undefined;
  return `${source.dialects.join(', ')} only: recorded, not run, on ${dialect}`;
}
