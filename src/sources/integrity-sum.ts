import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IntegritySumError, MigrationFileError } from '../engine/errors.ts';
import { normalizeMigrationText } from './checksum.ts';
import { parseMigrationName, parseRepeatableName } from './migration-name.ts';
import { migrationFolderEntries } from './prisma-layout.ts';

/**
 * `migrations/kmigrate.sum`, Atlas's atlas.sum idea: a total on the first line,
 * then one line per migration file in name order, `<file> h1:<base64 sha256>`,
 * where each hash covers the names and contents of that file and every file
 * before it (a running hash). Two branches that each add a migration both
 * rewrite the total and append a different last line, so git reports a merge
 * conflict instead of letting an unreviewed combination reach a deploy.
 */
export const INTEGRITY_SUM_FILE = 'kmigrate.sum';

export interface IntegritySumLine {
  file: string;
  hash: string;
}

export interface IntegritySum {
  total: string;
  lines: IntegritySumLine[];
}

/** What the folder holds now: every file the loader reads as a migration (bad names included: they fail there). */
export function computeIntegritySum(folder: string): IntegritySum {
  if (!fs.existsSync(folder))
    throw new MigrationFileError(folder, 'migrations folder does not exist', 'create it or pass --dir');
  const files = migrationFolderEntries(folder)
    .filter((file) => {
      const parsed = parseMigrationName(file);
      const read = parsed.ok || !parsed.ignored || parseRepeatableName(file) !== undefined;
      return read && fs.statSync(path.join(folder, file)).isFile();
    })
    // Code-unit order, never locale order: the same on every machine.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const running = createHash('sha256');
  const lines: IntegritySumLine[] = [];
  for (const file of files) {
    running.update(file);
    // Normalised like the migration checksum: a Windows checkout (CRLF, BOM) has the same sum.
    running.update(normalizeMigrationText(fs.readFileSync(path.join(folder, file), 'utf8')));
    lines.push({ file, hash: running.copy().digest('base64') });
  }
  return { total: totalOf(lines), lines };
}

function totalOf(lines: readonly IntegritySumLine[]): string {
  const total = createHash('sha256');
  for (const line of lines) total.update(line.file).update(line.hash);
  return total.digest('base64');
}

export function renderIntegritySum(sum: IntegritySum): string {
  return `h1:${sum.total}\n${sum.lines.map((l) => `${l.file} h1:${l.hash}\n`).join('')}`;
}

/** Writes (or rewrites) the folder's sum file; returns it. The package's `init` calls this for a new project. */
export function writeIntegritySum(folder: string): IntegritySum {
  const sum = computeIntegritySum(folder);
  const file = path.join(folder, INTEGRITY_SUM_FILE);
  const text = renderIntegritySum(sum);
  // Unchanged content is not rewritten: no mtime churn for tools that watch the folder.
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  return sum;
}

export function integritySumExists(folder: string): boolean {
  return fs.existsSync(path.join(folder, INTEGRITY_SUM_FILE));
}

/**
 * The config switch `integritySum`: true = required, false = never checked or
 * written, unset = checked when the file exists (a folder without one is not
 * checked until `kmigrate sum` or `create` in a new project writes it).
 */
export type IntegritySumSetting = boolean | undefined;

/** True when the sum must be checked for this folder. */
export function integritySumEnabled(folder: string, setting: IntegritySumSetting): boolean {
  if (setting === false) return false;
  return setting === true || integritySumExists(folder);
}

/**
 * Checks the folder against its sum file before any database is touched.
 * Throws IntegritySumError (exit 2) naming the first file that does not match.
 */
export function assertIntegritySum(folder: string, setting: IntegritySumSetting): void {
  if (!integritySumEnabled(folder, setting)) return;
  const display = path.join(path.basename(folder), INTEGRITY_SUM_FILE);
  if (!fs.existsSync(folder)) return; // the loader reports a missing folder
  if (!integritySumExists(folder)) {
    throw new IntegritySumError(display, 'does not exist but the config requires it (integritySum: true)');
  }
  const recorded = parseIntegritySum(fs.readFileSync(path.join(folder, INTEGRITY_SUM_FILE), 'utf8'), display);
  const actual = computeIntegritySum(folder);
  const mismatch = firstMismatch(recorded, actual);
  if (mismatch) throw new IntegritySumError(mismatch.file, mismatch.problem);
}

/** Parses the file; a merge conflict or a hand edit that breaks the format is reported as such. */
export function parseIntegritySum(text: string, display: string): IntegritySum {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  const conflict = rows.findIndex((r) => /^(<{7}|={7}|>{7})/.test(r));
  if (conflict >= 0) {
    throw new IntegritySumError(
      display,
      `has git merge-conflict markers (line ${conflict + 1}): two branches added or changed migrations; rebase yours onto the other branch, renumber it after theirs if needed`,
    );
  }
  const total = /^h1:(\S+)$/.exec(rows[0] ?? '');
  if (!total) throw new IntegritySumError(display, 'line 1 is not the `h1:<total>` line');
  const lines = rows.slice(1).map((row, i) => {
    const match = /^(\S+) h1:(\S+)$/.exec(row);
    if (!match) throw new IntegritySumError(display, `line ${i + 2} is not \`<file> h1:<hash>\``);
    return { file: match[1]!, hash: match[2]! };
  });
  if (totalOf(lines) !== total[1]) {
    throw new IntegritySumError(
      display,
      'its total (line 1) does not match its lines: it was edited by hand',
    );
  }
  return { total: total[1]!, lines };
}

function firstMismatch(
  recorded: IntegritySum,
  actual: IntegritySum,
): { file: string; problem: string } | undefined {
  const n = Math.max(recorded.lines.length, actual.lines.length);
  for (let i = 0; i < n; i++) {
    const want = recorded.lines[i];
    const have = actual.lines[i];
    if (want && have && want.file === have.file) {
      if (want.hash !== have.hash)
        return { file: have.file, problem: `was changed since ${INTEGRITY_SUM_FILE} was written` };
      continue;
    }
    if (have && !recorded.lines.some((l) => l.file === have.file))
      return { file: have.file, problem: `is not in ${INTEGRITY_SUM_FILE} (added without updating it)` };
    if (want && !actual.lines.some((l) => l.file === want.file))
      return { file: want.file, problem: `is in ${INTEGRITY_SUM_FILE} but no longer in the folder` };
    return { file: (have ?? want)!.file, problem: `is out of place in ${INTEGRITY_SUM_FILE}` };
  }
  return undefined;
}
