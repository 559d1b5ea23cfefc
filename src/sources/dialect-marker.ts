import { MigrationFileError } from '../engine/errors.ts';

/** The dialects a migration may be limited to. */
export const MARKER_DIALECTS = ['sqlite', 'postgres'] as const;
export type MarkerDialect = (typeof MARKER_DIALECTS)[number];

/** `-- kmigrate:dialects postgres` (or `sqlite`, or both, comma- or space-separated) on a line of its own. */
const SQL_MARKER = /^[ \t]*--[ \t]*kmigrate:dialects\b(.*)$/gim;
/** `export const dialects = ['postgres'];` (a literal array; a type annotation is allowed). */
const MODULE_MARKER = /^export\s+const\s+dialects\b[^=\n]*=\s*\[([^\]]*)\]/m;
const MODULE_EXPORT = /^export\s+(?:const|let|var)\s+dialects\b|^export\s*\{[^}]*\bdialects\b/m;

/**
 * The dialects an SQL migration says it is for, or undefined (every
 * dialect). On the others it is recorded as applied with its checksum, and
 * not run: history stays one list, and `status` says why.
 */
export function readSqlDialects(text: string, file: string): readonly MarkerDialect[] | undefined {
  const markers = [...text.matchAll(SQL_MARKER)];
  if (!markers.length) return undefined;
  if (markers.length > 1) throw new MigrationFileError(file, 'has more than one `-- kmigrate:dialects` line');
  return parseList(markers[0]![1] ?? '', file, '`-- kmigrate:dialects postgres`');
}

/**
 * The same for a TypeScript module, read from its text (the module is only
 * imported when it runs): `export const dialects = ['postgres']`.
 */
export function readModuleDialects(text: string, file: string): readonly MarkerDialect[] | undefined {
  const match = MODULE_MARKER.exec(text);
  if (!match) {
    if (MODULE_EXPORT.test(text)) {
      throw new MigrationFileError(
        file,
        'exports `dialects` in a form kmigrate cannot read without running it',
        "write it as a literal array: `export const dialects = ['postgres'];`",
      );
    }
    return undefined;
  }
  const names = [...match[1]!.matchAll(/['"`]([^'"`]*)['"`]/g)].map((m) => m[1]!);
  return parseList(names.join(','), file, "`export const dialects = ['postgres']`");
}

function parseList(list: string, file: string, example: string): readonly MarkerDialect[] {
  const names = list
    .split(/[\s,]+/)
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.find((n) => !(MARKER_DIALECTS as readonly string[]).includes(n));
  if (bad !== undefined || !names.length) {
    throw new MigrationFileError(
      file,
      bad !== undefined ? `names an unknown dialect "${bad}"` : 'names no dialect',
      `use ${MARKER_DIALECTS.join(' or ')}, e.g. ${example}`,
    );
  }
  return MARKER_DIALECTS.filter((d) => names.includes(d));
}

/** The same list in the module's exports (when it has one): what was read from its text must be what it exports. */
export function assertModuleDialects(
  file: string,
  exported: unknown,
  read: readonly string[] | undefined,
): void {
  if (exported === undefined && read === undefined) return;
  const list = Array.isArray(exported) ? exported.map(String).sort().join(',') : String(exported);
  if (list !== [...(read ?? [])].sort().join(',')) {
    throw new MigrationFileError(
      file,
      'exports `dialects` in a form kmigrate cannot read without running it',
      "write it as a literal array: `export const dialects = ['postgres'];`",
    );
  }
}
