import type { SchemaObject, SchemaSnapshot, SnapshotValue } from '../engine/schema-snapshot.ts';

/** Bumped when the layout changes, so every schema file is rewritten once. */
export const SCHEMA_FILE_FORMAT_VERSION = 1;

const FINGERPRINT_PREFIX = '-- migrations fingerprint: ';

/**
 * generated/schema.sql: the schema the migrations build, for review in pull
 * requests (dbmate's and Rails' committed schema file). Rendered from the
 * dialect-neutral snapshot drift and verify compare, so it is sorted and
 * deterministic: the same files give the same bytes on every machine. It is
 * SQL-ish text to read, not a script to run (every line but the objects is a
 * comment, and the objects are not valid SQL on purpose).
 *
 * Tables come with what they own nested under them (columns, constraints,
 * indexes, triggers, policies); the other kinds follow, each sorted by name.
 */
export function renderSchemaFile(snapshot: SchemaSnapshot, fingerprint: string): string {
  const lines = [
    '-- The schema the migrations build, read from a scratch database. Generated; do not edit.',
    '-- Regenerate: kmigrate schema dump. Checked in CI: kmigrate schema dump --check.',
    `-- dialect: ${snapshot.dialect}`,
    `-- schemas: ${snapshot.schemas.join(', ')}`,
    `-- format: ${SCHEMA_FILE_FORMAT_VERSION}`,
    `${FINGERPRINT_PREFIX}${fingerprint}`,
  ];
  const parents = new Set(
    snapshot.objects.filter((o) => o.kind === 'table' || o.kind === 'view').map((o) => o.name),
  );
  const owned = new Map<string, SchemaObject[]>();
  for (const o of snapshot.objects) {
    if (isNested(o, parents)) owned.set(o.table!, [...(owned.get(o.table!) ?? []), o]);
  }
  for (const o of snapshot.objects) {
    if (isNested(o, parents)) continue; // printed under its table or view
    lines.push('', ...renderObject(o, ''));
    for (const child of owned.get(o.name) ?? []) lines.push(...renderObject(child, '  '));
  }
  return `${lines.join('\n')}\n`;
}

function isNested(o: SchemaObject, parents: ReadonlySet<string>): boolean {
  return o.kind !== 'table' && o.kind !== 'view' && o.table !== undefined && parents.has(o.table);
}

function renderObject(o: SchemaObject, indent: string): string[] {
  const out = [`${indent}${o.kind} ${o.name}`];
  for (const key of Object.keys(o.properties).sort()) {
    const value = o.properties[key];
    if (value === null || value === undefined) continue;
    out.push(...renderProperty(key, value, `${indent}    `));
  }
  return out;
}

function renderProperty(key: string, value: SnapshotValue, indent: string): string[] {
  if (Array.isArray(value)) return [`${indent}${key}: [${(value as readonly string[]).join(', ')}]`];
  const text = String(value);
  if (!text.includes('\n')) return [`${indent}${key}: ${text}`];
  // Multi-line definitions (views, functions) keep their lines, so a change shows as a line diff.
  return [`${indent}${key}: |`, ...text.split('\n').map((l) => `${indent}  ${l}`.trimEnd())];
}

/** The fingerprint line of an existing file, if any (the fast path of the automatic dump). */
export function readSchemaFileFingerprint(text: string | undefined): string | undefined {
  return text
    ?.split('\n', 8)
    .find((l) => l.startsWith(FINGERPRINT_PREFIX))
    ?.slice(FINGERPRINT_PREFIX.length);
}

/** The file without its fingerprint line: what --check compares (a comment edited in a migration is not a schema change). */
export function schemaFileBody(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith(FINGERPRINT_PREFIX))
    .join('\n');
}
