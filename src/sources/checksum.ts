import { createHash } from 'node:crypto';

/**
 * sha256 of a migration's text after removing a UTF-8 BOM and turning CRLF/CR
 * into LF, so a Windows checkout (core.autocrlf) never looks "changed".
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(normalizeMigrationText(text)).digest('hex');
}

export function normalizeMigrationText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}
