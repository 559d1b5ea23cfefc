import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CodegenProject, codegenProject } from './codegen-project.ts';

const projects: CodegenProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

const ROOT = path.resolve(import.meta.dirname, '../..');

const EVENTS = {
  '001_events.up.sql': `create table events (
  id integer primary key,
  title text not null,
  happened_at timestamptz not null,
  paid boolean not null default false,
  amount numeric(10, 2),
  payload jsonb
);
`,
  '001_events.down.sql': 'drop table events;\n',
  '002_audit.ts': `import type { Kysely } from 'kysely';
import { dialectOf } from '${ROOT}/src/dialects/adapter-for-kysely.ts';
// Production only: an audit table PostgreSQL has and SQLite does not.
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await db.schema.createTable('audit_log').addColumn('id', 'bigserial', (c) => c.primaryKey()).execute();
}
`,
};

describe('codegen --parity', () => {
  it('lists every column whose type differs between SQLite and PostgreSQL, and exits 3', async () => {
    const p = codegenProject(EVENTS);
    projects.push(p);
    const run = await p.cli(['codegen', '--parity']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(3);
    const lines = run.stdout.split('\n').map((l) => l.trim());
    expect(lines).toContain('audit_log (table): sqlite (missing) vs postgres table');
    expect(lines).toContain('events.happened_at: sqlite string vs postgres Timestamp');
    expect(lines).toContain('events.paid: sqlite Generated<number> vs postgres Generated<boolean>');
    // kysely-codegen's SQLite mapping knows `numeric` but not `numeric(10, 2)`: it falls back to string.
    expect(lines).toContain('events.amount: sqlite string | null vs postgres Numeric | null');
    // An INTEGER PRIMARY KEY is SQLite's rowid: generated and (per PRAGMA table_info) nullable.
    expect(lines).toContain('events.id: sqlite Generated<number | null> vs postgres number');
    expect(lines).toContain('events.payload: sqlite string | null vs postgres Json | null');
    expect(lines).toContain('where (postgres) Timestamp = ColumnType<Date, Date | string, Date | string>');
    // Same type on both: not listed.
    expect(run.stdout).not.toContain('events.title');
    expect(run.stdout).toMatch(
      /Dev\/prod parity: \d+ differences between SQLite \(development\) and PostgreSQL/,
    );
    // Informational: nothing is written.
    expect(p.read()).toBeUndefined();
  });

  it('exits 0 when both dialects give the same types; --json gives the report', async () => {
    const p = codegenProject({
      '001_tags.up.sql': 'create table tags (name text not null, weight integer not null, note text);\n',
    });
    projects.push(p);
    const run = await p.cli(['codegen', '--parity']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/every column has the same type on SQLite and PostgreSQL \(1 tables/);
    const json = await p.cli(['--json', 'codegen', '--parity']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ differences: [], tables: { sqlite: 1, postgres: 1 } });
  });
});
