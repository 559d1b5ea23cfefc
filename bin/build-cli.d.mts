/** Builds dist/bundle/kmigrate.cjs (the CLI), its two ES module shims and its first code cache; returns the bundle file. */
export function buildCli(options?: { quiet?: boolean }): Promise<string>;
