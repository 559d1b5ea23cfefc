const collator = new Intl.Collator('en-US');

/**
 * kysely-codegen sorts tables, columns and enum values with
 * String.prototype.localeCompare, whose order follows the machine's locale
 * (under LANG=da_DK "aa" sorts after "z"). Pinning the collation for the
 * duration of the synchronous serialisation makes the output the same on
 * every machine. Only for synchronous code: nothing else can run meanwhile.
 */
export function withStableCollation<T>(fn: () => T): T {
  const original = String.prototype.localeCompare;
  const pinned = function (this: string, that: string): number {
    return collator.compare(String(this), String(that));
  };
  String.prototype.localeCompare = pinned as typeof original;
  try {
    return fn();
  } finally {
    String.prototype.localeCompare = original;
  }
}
