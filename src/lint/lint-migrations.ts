import fs from 'node:fs/promises';
import path from 'node:path';
import { isManagedSchema } from '../dialects/postgres/managed-schemas.ts';
import { PostgresAdapter } from '../dialects/postgres/postgres-adapter.ts';
import { type CompiledUp, compileUpSteps } from '../engine/compile-migrations.ts';
import { MigrationFileError } from '../engine/errors.ts';
import type { MigrationSource } from '../engine/types.ts';
import { checkKmigrateRules } from './kmigrate-rules.ts';
import { ruleInfo, type Severity, SQUAWK_EXCLUDED_RULES } from './lint-rules.ts';
import { readSuppressions } from './lint-suppressions.ts';
import { buildLintUnit, type LintUnit } from './lint-unit.ts';
import { createPostgresCompileKysely } from './postgres-compile-kysely.ts';
import { runSquawk } from './squawk-runner.ts';
import { createdTable, targetSchema, targetTable } from './statement-tables.ts';

export const DEFAULT_LINT_PG_VERSION = '17';

export interface LintFinding {
  /** The migration file, as given by `displayPath` (e.g. relative to the working directory). */
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly help?: string;
  readonly version: number;
  readonly migration: string;
  readonly source: 'squawk' | 'kmigrate';
}

export interface SuppressedFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly version: number;
  readonly reason: string;
}

export interface LintReport {
  readonly linted: { version: number; name: string; file: string; transactional: boolean }[];
  readonly findings: LintFinding[];
  readonly suppressed: SuppressedFinding[];
  readonly errors: number;
  readonly warnings: number;
}

export interface LintOptions {
  /** Absolute migrations folder. */
  readonly migrationsPath: string;
  /** How a file (relative to the folder) is printed. Default: relative to the working directory. */
  readonly displayPath?: (file: string) => string;
  readonly pgVersion?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Lints the PostgreSQL SQL of `sources`' up steps, in order, as one set: a
 * table created by an earlier migration of the set counts as new (empty)
 * for the ones after it.
 */
export async function lintMigrations(
  sources: readonly MigrationSource[],
  options: LintOptions,
): Promise<LintReport> {
  const display =
    options.displayPath ?? ((file) => path.relative(process.cwd(), path.join(options.migrationsPath, file)));
  const units: LintUnit[] = [];
  const db = createPostgresCompileKysely();
  for (const source of sources) {
    let compiled: CompiledUp | undefined;
    try {
      [compiled] = await compileUpSteps([source], db, new PostgresAdapter());
    } catch (error) {
      if (error instanceof MigrationFileError) throw error;
      throw new MigrationFileError(
        source.files[0] ?? source.id,
        `could not be compiled to PostgreSQL SQL for lint: ${(error as Error).message?.split('\n')[0]}`,
        'lint runs `up` against a database that returns no rows; guard code that needs data',
      );
    }
    const text = await fs.readFile(path.join(options.migrationsPath, compiled!.file), 'utf8');
    units.push(buildLintUnit(compiled!, text));
  }
  await db.destroy();

  const squawk = await runSquawk(
    units.flatMap((unit, index) =>
      unit.sql.trim() ? [{ id: String(index), sql: unit.sql, assumeInTransaction: unit.transactional }] : [],
    ),
    {
      pgVersion: options.pgVersion ?? DEFAULT_LINT_PG_VERSION,
      exclude: SQUAWK_EXCLUDED_RULES,
      env: options.env,
    },
  );
  const isNew = createdTablesIndex(units);

  const findings: LintFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const [u, unit] of units.entries()) {
    const file = display(unit.file);
    const raw: { rule: string; offset: number; message: string; help?: string }[] = [];
    for (const f of squawk.get(String(u)) ?? []) {
      raw.push({
        rule: f.rule,
        offset: unit.offsetOf(f.line, f.column),
        message: f.message,
        ...(f.help ? { help: f.help } : {}),
      });
    }
    for (const f of checkKmigrateRules(unit)) {
      const info = ruleInfo(f.rule);
      raw.push({
        rule: f.rule,
        offset: unit.statements[f.statement]!.offset,
        message: info.message!,
        help: info.help!,
      });
    }

    const { suppressions, problems } = readSuppressions(unit.fileText);
    const used = new Set<string>();
    const seen = new Set<string>();
    for (const f of raw) {
      const info = ruleInfo(f.rule);
      const s = unit.statementAt(f.offset);
      if (info.existingTableOnly) {
        const statement = unit.statements[s]?.sql ?? '';
        const table = targetTable(statement);
        // A platform table (auth.users, storage.objects) exists before any migration and holds
        // rows: never "created by the set", even when the set created a table of the same name.
        const schema = targetSchema(statement);
        const platformTable = schema !== undefined && isManagedSchema(schema);
        if (table !== undefined && !platformTable && isNew(table, u, s)) continue;
      }
      const line = unit.lineFor(f.offset);
      const key = `${f.rule}\0${line}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const suppression = suppressions.find((x) => x.rules.includes(f.rule));
      if (suppression) {
        used.add(f.rule);
        suppressed.push({ file, line, rule: f.rule, version: unit.version, reason: suppression.reason });
        continue;
      }
      findings.push({
        file,
        line,
        rule: f.rule,
        severity: info.severity,
        message: f.message,
        ...(f.help ? { help: f.help } : {}),
        version: unit.version,
        migration: unit.name,
        source: info.source,
      });
    }
    for (const p of problems) {
      const info = ruleInfo(p.rule);
      findings.push(metaFinding(p.rule, `${info.message}: ${p.detail}`, info.help, file, p.line, unit));
    }
    for (const s of suppressions) {
      for (const rule of s.rules.filter((r) => !used.has(r))) {
        const info = ruleInfo('lint-ignore-unused');
        findings.push(
          metaFinding('lint-ignore-unused', `${info.message}: \`${rule}\``, info.help, file, s.line, unit),
        );
      }
    }
  }
  findings.sort((a, b) => a.version - b.version || a.line - b.line || a.rule.localeCompare(b.rule));
  return {
    linted: units.map((u) => ({
      version: u.version,
      name: u.name,
      file: display(u.file),
      transactional: u.transactional,
    })),
    findings,
    suppressed,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

function metaFinding(
  rule: string,
  message: string,
  help: string | undefined,
  file: string,
  line: number,
  unit: LintUnit,
): LintFinding {
  return {
    file,
    line,
    rule,
    severity: ruleInfo(rule).severity,
    message,
    ...(help ? { help } : {}),
    version: unit.version,
    migration: unit.name,
    source: 'kmigrate',
  };
}

/** "Was `table` created before statement `s` of unit `u`?", over the whole set. */
function createdTablesIndex(units: readonly LintUnit[]): (table: string, u: number, s: number) => boolean {
  const created = new Map<string, { u: number; s: number }>();
  for (const [u, unit] of units.entries()) {
    for (const [s, statement] of unit.statements.entries()) {
      const table = createdTable(statement.sql);
      if (table !== undefined && !created.has(table)) created.set(table, { u, s });
    }
  }
  return (table, u, s) => {
    const at = created.get(table);
    return at !== undefined && (at.u < u || (at.u === u && at.s < s));
  };
}
