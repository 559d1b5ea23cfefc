/** Quotes an identifier that config validation already restricted to [A-Za-z0-9_]; for the tracking DDL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
