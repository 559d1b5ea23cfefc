/**
 * Which table a PostgreSQL statement creates or works on, read from its first
 * words. Enough for lint's "was this table created earlier in the migrations
 * being linted?" question; schemas are ignored (tables are compared by name).
 */
const IDENT = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const QUALIFIED = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})*)`;

const CREATE_TABLE = new RegExp(
  String.raw`^create\s+(?:(?:global|local)\s+)?(?:(?:temp|temporary|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?${QUALIFIED}`,
  'i',
);

const TARGETS: readonly RegExp[] = [
  new RegExp(
    String.raw`^create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:(?!on\b)${IDENT}\s+)?on\s+(?:only\s+)?${QUALIFIED}`,
    'i',
  ),
  new RegExp(String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QUALIFIED}`, 'i'),
  new RegExp(String.raw`^drop\s+table\s+(?:if\s+exists\s+)?${QUALIFIED}`, 'i'),
  new RegExp(String.raw`^truncate\s+(?:table\s+)?(?:only\s+)?${QUALIFIED}`, 'i'),
  new RegExp(
    String.raw`^vacuum\s+(?:\([^)]*\)\s*|(?:full|freeze|verbose|analyze)\s+)*(?!full\b|freeze\b|verbose\b|analyze\b)${QUALIFIED}`,
    'i',
  ),
];

/** The table a CREATE TABLE statement creates, normalised; undefined for anything else. */
export function createdTable(statement: string): string | undefined {
  const match = CREATE_TABLE.exec(statement.trim());
  return match?.[1] ? normalizeName(match[1]) : undefined;
}

/** The table an index, ALTER/DROP TABLE, TRUNCATE or VACUUM statement works on. */
export function targetTable(statement: string): string | undefined {
  const text = statement.trim();
  for (const pattern of TARGETS) {
    const match = pattern.exec(text);
    if (match?.[1]) return normalizeName(match[1]);
  }
  return undefined;
}

/** The schema an index, ALTER/DROP TABLE, TRUNCATE or VACUUM statement names, when it is qualified (`auth.users` → `auth`). */
export function targetSchema(statement: string): string | undefined {
  const text = statement.trim();
  for (const pattern of TARGETS) {
    const match = pattern.exec(text);
    if (!match?.[1]) continue;
    const parts = match[1].match(new RegExp(IDENT, 'g')) ?? [];
    if (parts.length < 2) return undefined;
    const schema = parts[parts.length - 2]!;
    return schema.startsWith('"') ? schema.slice(1, -1).replace(/""/g, '"') : schema.toLowerCase();
  }
  return undefined;
}

export function isTruncate(statement: string): boolean {
  return /^truncate\b/i.test(statement.trim());
}

export function isVacuumFull(statement: string): boolean {
  const text = statement.trim();
  return (
    /^vacuum\s*\([^)]*\bfull\b/i.test(text) ||
    /^vacuum\s+(?:(?:freeze|verbose|analyze)\s+)*full\b/i.test(text)
  );
}

/** `public."Users"` → `Users`, `Public.USERS` → `users`: PostgreSQL's folding of the last part. */
export function normalizeName(qualified: string): string {
  const parts = qualified.match(new RegExp(IDENT, 'g')) ?? [qualified];
  const last = parts[parts.length - 1] ?? qualified;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}
