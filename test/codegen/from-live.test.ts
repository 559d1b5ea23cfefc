import { afterEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.ts';
import { tableExists } from '../support/migration-folder.ts';
import { type CodegenProject, codegenProject, FIXTURE } from './codegen-project.ts';

const projects: CodegenProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

/** Runs on both dialects. */
const PORTABLE = {
  '001_accounts.up.sql': 'create table accounts (id integer primary key, email text not null);\n',
  '001_accounts.down.sql': 'drop table accounts;\n',
  '002_notes.ts': FIXTURE['002_notes.ts'],
};

describeEachDialect('codegen --from-live', (ctx) => {
  it('introspects the connected database; the tracking tables it has are left out', async () => {
    const p = codegenProject(PORTABLE);
    projects.push(p);
    expect((await p.cli(['--url', ctx.database.url, 'latest'])).code).toBe(0);
    expect(await tableExists(ctx.database, 'schema_migrations')).toBe(true);
    expect(await tableExists(ctx.database, 'schema_migrations_history')).toBe(true);

    const run = await p.cli(['--url', ctx.database.url, 'codegen', '--from-live']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const dialectName = ctx.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite';
    expect(run.stdout).toContain(`Wrote generated/db.ts from ${dialectName} (2 tables`);
    const content = p.read()!;
    expect(content).toContain(`from a live ${dialectName}`);
    expect(content).not.toContain('kmigrate-codegen-fingerprint');
    expect(content).not.toMatch(/schema_migrations|SchemaMigrations/);
    expect(content).toMatch(/export interface DB \{\n {2}accounts: Accounts;\n {2}notes: Notes;\n\}/);
    // Each dialect's own driver types.
    expect(content).toContain(
      ctx.dialect === 'postgres' ? 'pinned: Generated<boolean>;' : 'pinned: Generated<number>;',
    );
    expect(content).not.toContain(ctx.database.url);

    expect((await p.cli(['--url', ctx.database.url, 'codegen', '--from-live', '--check'])).code).toBe(0);

    // The live database drifts from the file: --from-live --check sees it.
    await ctx.database.query('alter table accounts add column nickname text');
    const stale = await p.cli(['--url', ctx.database.url, 'codegen', '--from-live', '--check']);
    expect(stale.code).toBe(3);
    expect(stale.stdout).toMatch(/^\+ {2}nickname: string \| null;$/m);
    expect(stale.stdout).toContain('(from the live database)');
  });
});
