import { diffLines } from 'diff';
/**
 * Pure comparison of two schema snapshots. `expected` is the reference (what
 * the migrations build; the schema before an up), `actual` is what was found
 * (the live database; the schema after the down).
 */
import {
  compareObjects,
  type SchemaObject,
  type SchemaObjectKind,
  type SchemaSnapshot,
  type SnapshotValue,
} from './schema-snapshot.ts';

export interface PropertyChange {
  readonly property: string;
  readonly before: SnapshotValue;
  readonly after: SnapshotValue;
}

export interface SchemaDifference {
  /** added: only in `actual`. removed: only in `expected`. changed: in both, with different properties. */
  readonly change: 'added' | 'removed' | 'changed';
  readonly kind: SchemaObjectKind;
  readonly name: string;
  readonly table?: string;
  /** added/removed: the object's properties. */
  readonly properties?: Readonly<Record<string, SnapshotValue>>;
  /** changed: each property that differs, before (expected) → after (actual). */
  readonly changes?: readonly PropertyChange[];
  /**
   * An added/removed table or view carries the columns, indexes, … that came
   * or went with it, so one forgotten table is one difference, not twenty.
   */
  readonly contains?: readonly SchemaDifference[];
}

/** Sorted differences; empty when the schemas are the same. */
export function diffSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot): SchemaDifference[] {
  const before = indexByKey(expected.objects);
  const after = indexByKey(actual.objects);
  const flat: SchemaDifference[] = [];
  for (const [key, object] of before) {
    const other = after.get(key);
    if (!other) {
      flat.push(whole('removed', object));
      continue;
    }
    const changes = diffProperties(object.properties, other.properties);
    if (changes.length) flat.push({ ...identity(other), change: 'changed', changes });
  }
  for (const [key, object] of after) if (!before.has(key)) flat.push(whole('added', object));
  flat.sort(compareObjects);
  return foldIntoContainers(flat);
}

/** Property-by-property comparison; null and absent are the same. */
export function diffProperties(
  before: Readonly<Record<string, SnapshotValue>>,
  after: Readonly<Record<string, SnapshotValue>>,
): PropertyChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes: PropertyChange[] = [];
  for (const property of keys) {
    const b = before[property] ?? null;
    const a = after[property] ?? null;
    if (!sameValue(b, a)) changes.push({ property, before: b, after: a });
  }
  return changes;
}

export function sameValue(a: SnapshotValue, b: SnapshotValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** How the three kinds of difference read in a given comparison. */
export interface DifferenceWording {
  /** e.g. "only in the database". */
  readonly added: string;
  /** e.g. "only in the migrations". */
  readonly removed: string;
}

const SYMBOL = { added: '+', removed: '-', changed: '~' } as const;

/**
 * One readable line (plus indented lines for what an added/removed table
 * held): `+ index public.items_label_idx on public.items (only in the database): unique=false, …`,
 * `~ column public.items.label: type text → varchar(20)`.
 */
export function formatDifference(d: SchemaDifference, wording?: DifferenceWording): string {
  const on = d.table && !d.name.startsWith(`${d.table}.`) ? ` on ${d.table}` : '';
  const head = `${SYMBOL[d.change]} ${d.kind} ${d.name}${on}`;
  if (d.change === 'changed') {
    const changes = d.changes ?? [];
    const inline = changes.filter((c) => !isDefinitionChange(c));
    const blocks = changes.filter(isDefinitionChange);
    const parts = inline.map((c) => `${c.property} ${formatValue(c.before)} → ${formatValue(c.after)}`);
    const lines = [`${head}: ${[...parts, ...blocks.map((c) => `${c.property} changed:`)].join('; ')}`];
    // A changed view, function body, policy or default is a line diff, never two truncated strings.
    for (const c of blocks) lines.push(...lineDiff(String(c.before ?? ''), String(c.after ?? '')));
    return lines.join('\n');
  }
  const why = wording ? ` (${d.change === 'added' ? wording.added : wording.removed})` : '';
  const props = formatProperties(d.properties ?? {});
  const lines = [`${head}${why}${props ? `: ${props}` : ''}`];
  for (const child of d.contains ?? []) lines.push(`    with ${formatDifference(child).slice(2)}`);
  return lines.join('\n');
}

/** Definitions (view, trigger, constraint), function bodies, policy expressions and column defaults. */
const DEFINITION_PROPERTIES = new Set(['definition', 'body', 'using', 'withCheck', 'default']);

/** A changed definition is shown as a line diff (text on both sides, or text and none). */
function isDefinitionChange(c: PropertyChange): boolean {
  const text = (v: SnapshotValue) => typeof v === 'string' || v === null;
  return DEFINITION_PROPERTIES.has(c.property) && text(c.before) && text(c.after);
}

/** `    - old line` / `    + new line` for the lines that differ, unchanged lines left out. */
function lineDiff(before: string, after: string): string[] {
  const out: string[] = [];
  for (const part of diffLines(before.trim(), after.trim())) {
    if (!part.added && !part.removed) continue;
    const sign = part.added ? '+' : '-';
    for (const line of part.value.replace(/\n$/, '').split('\n')) out.push(`    ${sign} ${line}`.trimEnd());
  }
  return out;
}

/** `key=value, …` of the set properties; false, none and [] are left out to keep a line short. */
export function formatProperties(properties: Readonly<Record<string, SnapshotValue>>): string {
  return Object.entries(properties)
    .filter(([, v]) => v !== null && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ');
}

const MAX_VALUE_CHARS = 160;

export function formatValue(value: SnapshotValue): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  const text = String(value).replace(/\s+/g, ' ').trim();
  // A sha256 (function bodies) says "changed"; twelve digits are enough to tell them apart.
  if (/^[0-9a-f]{64}$/.test(text)) return `${text.slice(0, 12)}…`;
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function key(o: { kind: string; name: string }): string {
  return `${o.kind}\u0000${o.name}`;
}

function indexByKey(objects: readonly SchemaObject[]): Map<string, SchemaObject> {
  return new Map(objects.map((o) => [key(o), o]));
}

function identity(o: SchemaObject): Pick<SchemaDifference, 'kind' | 'name' | 'table'> {
  return { kind: o.kind, name: o.name, ...(o.table !== undefined ? { table: o.table } : {}) };
}

function whole(change: 'added' | 'removed', o: SchemaObject): SchemaDifference {
  return { ...identity(o), change, properties: o.properties };
}

/** Moves the parts of an added/removed table or view under it. */
function foldIntoContainers(flat: SchemaDifference[]): SchemaDifference[] {
  const containers = new Map<string, SchemaDifference[]>();
  for (const d of flat) {
    if ((d.kind === 'table' || d.kind === 'view') && d.change !== 'changed')
      containers.set(`${d.change}\u0000${d.name}`, []);
  }
  if (!containers.size) return flat;
  const top: SchemaDifference[] = [];
  for (const d of flat) {
    const parent =
      d.table !== undefined && d.kind !== 'table' && d.kind !== 'view'
        ? containers.get(`${d.change}\u0000${d.table}`)
        : undefined;
    if (parent) parent.push(d);
    else top.push(d);
  }
  return top.map((d) => {
    const children = containers.get(`${d.change}\u0000${d.name}`);
    return children?.length && (d.kind === 'table' || d.kind === 'view') ? { ...d, contains: children } : d;
  });
}
