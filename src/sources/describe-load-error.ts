/**
 * One line for whatever importing a module threw: esbuild's TransformError
 * carries the reason and its line and column in `errors[0]`; a module may also
 * throw a non-Error (`throw {}`, `throw 'x'`) or reject its top-level await.
 */
export function describeLoadError(error: unknown): string {
  const first = (
    error as { errors?: { text?: string; location?: { line?: number; column?: number } | null }[] }
  )?.errors?.[0];
  if (first?.text) {
    const at = first.location
      ? ` at line ${first.location.line}, column ${(first.location.column ?? 0) + 1}`
      : '';
    return `${first.text}${at}`;
  }
  if (error instanceof Error) {
    // The same, as text: "Transform failed with 1 error:\n<file>:2:12: ERROR: Unexpected ...".
    const located = /:(\d+):(\d+): ERROR: (.+)$/m.exec(error.message);
    if (located) return `${located[3]} at line ${located[1]}, column ${Number(located[2]) + 1}`;
    return error.message.split('\n')[0] || error.name;
  }
  if (typeof error === 'string') return `it threw the string ${JSON.stringify(error.slice(0, 80))}`;
  if (error === undefined || error === null) return `it threw ${String(error)}`;
  try {
    return `it threw a non-Error value ${JSON.stringify(error)?.slice(0, 80) ?? String(error)}`;
  } catch {
    return 'it threw a non-Error value';
  }
}
