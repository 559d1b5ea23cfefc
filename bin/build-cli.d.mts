/** Builds dist/bundle/kmigrate.mjs (and its chunks); returns the entry file. */
export function buildCli(options?: { quiet?: boolean }): Promise<string>;
