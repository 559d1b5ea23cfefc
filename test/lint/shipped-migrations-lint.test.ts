import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/lint/lint-migrations.ts';
import { isReadOnlyQuery } from '../../src/lint/read-only-query.ts';
import { runCliInProcess } from '../support/cli.ts';
import { writeMigrationFolder } from '../support/migration-folder.ts';

/**
 * #10 item 18: the migrations this repository ships pass our own lint, with
 * 001–004 byte-for-byte what deployed databases applied (decision 0003).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function lint(args: string[], cwd: string) {
  const run = await runCliInProcess(['--json', 'lint', ...args], { cwd, env: {} });
  const report = run.stdout.trim() ? (JSON.parse(run.stdout) as LintReport) : undefined;
  return { ...run, report };
}

function folder(files: Record<string, string>): string {
  const f = writeMigrationFolder(files);
  cleanups.push(f.cleanup);
  return f.dir;
}

/** The integrity sum's lines for 001–004 as they were when deployed databases applied them. */
const DEPLOYED_SUMS = [
  '001_init_schema.ts h1:1NjO5BnuTS6XO9fwnoZWggUXs+hxq3rOYCy6GLLPze8=',
  '002_optimize_indexes.ts h1:Y+riFoGYE4sANlggbZljaVEtgTTe3k/yOdByTrK6UEY=',
  '003_create_ai_cost_logs.ts h1:2CyZRbIumMTQhNjN4tpYiXUoq2i4DIr7P1cRHVzZDPA=',
  '004_create_policies_table.ts h1:r4Ma7vDeCPI8n4EtCVlBY6LS/KkialI7w5xn7DOmG+A=',
];

describe('the shipped migrations', () => {
  it('pass `kmigrate lint --all` (0 errors), 001–004 unchanged', { timeout: 120_000 }, async () => {
    const run = await lint(['--all'], ROOT);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report!.linted.map((l) => l.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run.report!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(run.report!.suppressed).toEqual([]);
    const sum = fs.readFileSync(path.join(ROOT, 'migrations/kmigrate.sum'), 'utf8').split('\n');
    for (const line of DEPLOYED_SUMS) expect(sum).toContain(line);
  });
});

describe('mixed-non-transactional: read-only queries do not make a migration mixed', () => {
  const nonTx = (...statements: string[]) => ['-- migrate:no-transaction', ...statements, ''].join('\n');

  it('a catalog SELECT before CONCURRENTLY builds is not mixed; a write or a side-effect call is', {
    timeout: 120_000,
  }, async () => {
    const dir = folder({
      '001_reads.up.sql': nonTx(
        "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'a_idx' and c.relnamespace = current_schema()::regnamespace;",
        'create index concurrently if not exists a_idx on accounts (email);',
        'create index concurrently if not exists b_idx on accounts (name);',
      ),
      '002_setval.up.sql': nonTx(
        "select setval('accounts_id_seq', 10);",
        'create index concurrently if not exists c_idx on accounts (email);',
      ),
      '003_user_fn.up.sql': nonTx(
        'select refresh_everything();',
        'create index concurrently if not exists d_idx on accounts (email);',
      ),
      '004_into.up.sql': nonTx(
        'select * into accounts_copy from accounts;',
        'create index concurrently if not exists e_idx on accounts (email);',
      ),
      '005_cte.up.sql': nonTx(
        'with gone as (delete from accounts returning id) select count(*) from gone;',
        'create index concurrently if not exists f_idx on accounts (email);',
      ),
    });
    const run = await lint(['--all'], path.dirname(dir));
    const mixed = run
      .report!.findings.filter((f) => f.rule === 'mixed-non-transactional')
      .map((f) => f.version);
    expect(mixed).toEqual([2, 3, 4, 5]);
    expect(run.code).toBe(3);
  });

  it('isReadOnlyQuery: plain SELECTs of pure built-ins only', () => {
    expect(isReadOnlyQuery('select 1')).toBe(true);
    expect(isReadOnlyQuery("select count(*) from pg_indexes where indexname = 'x'")).toBe(true);
    expect(isReadOnlyQuery("select to_regclass('auth.users') is not null")).toBe(true);
    expect(isReadOnlyQuery("select 'nextval(1)' -- setval(\n")).toBe(true);
    expect(isReadOnlyQuery("select nextval('s')")).toBe(false);
    expect(isReadOnlyQuery('select pg_catalog.set_config($1, $2, false)')).toBe(false);
    expect(isReadOnlyQuery('select pg_advisory_lock(1)')).toBe(false);
    expect(isReadOnlyQuery('select app.fn()')).toBe(false);
    expect(isReadOnlyQuery('select "Fn"()')).toBe(false);
    expect(isReadOnlyQuery('select * from accounts for update')).toBe(false);
    expect(isReadOnlyQuery('update accounts set x = 1')).toBe(false);
    expect(isReadOnlyQuery('/* note */ select 1')).toBe(true);
  });
});
