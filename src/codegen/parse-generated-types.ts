/** The tables and columns of a generated file, as TypeScript type text. */
export interface GeneratedTypes {
  /** Keyed by the DB interface's key (`users`, or `auth.users` outside the default schema). */
  readonly tables: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Exported type aliases (`Timestamp`, `Json`, enums…) and their definitions. */
  readonly aliases: ReadonlyMap<string, string>;
}

const INTERFACE = /^export interface (\w+) \{([\s\S]*)\}$/;
const ALIAS = /^export type (\w+)(?:<[^=]*>)? = ([\s\S]*);$/;
const PROPERTY = /^ {2}("(?:[^"\\]|\\.)*"|[^\s:]+): (.*);$/;

/**
 * Reads kysely-codegen's output back into tables and columns. Its layout is
 * fixed (the version is pinned and part of the fingerprint): top-level
 * statements separated by a blank line, one property per line, two-space
 * indent. Used to say what changed and to compare dialects column by column.
 */
export function parseGeneratedTypes(source: string): GeneratedTypes {
  const interfaces = new Map<string, Map<string, string>>();
  const aliases = new Map<string, string>();
  for (const block of source.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const text = block.trim();
    const iface = INTERFACE.exec(text);
    if (iface) {
      interfaces.set(iface[1]!, properties(iface[2] ?? ''));
      continue;
    }
    const alias = ALIAS.exec(text);
    if (alias) aliases.set(alias[1]!, alias[2]!.replace(/\s+/g, ' '));
  }
  const tables = new Map<string, ReadonlyMap<string, string>>();
  for (const [key, interfaceName] of interfaces.get('DB') ?? []) {
    tables.set(key, interfaces.get(interfaceName) ?? new Map());
  }
  return { tables, aliases };
}

function properties(body: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = PROPERTY.exec(line);
    if (!match) continue; // comment lines of a column with a COMMENT ON
    const rawKey = match[1]!;
    result.set(rawKey.startsWith('"') ? (JSON.parse(rawKey) as string) : rawKey, match[2]!);
  }
  return result;
}

/** The alias names a type text refers to (`Generated<Timestamp>` → Generated, Timestamp). */
export function referencedAliases(typeText: string, aliases: ReadonlyMap<string, string>): string[] {
  const found = new Set<string>();
  const visit = (text: string) => {
    for (const word of text.match(/[A-Za-z_]\w*/g) ?? []) {
      if (found.has(word) || !aliases.has(word)) continue;
      found.add(word);
      visit(aliases.get(word)!);
    }
  };
  visit(typeText);
  return [...found];
}
