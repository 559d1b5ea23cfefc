import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCliInProcess } from '../support/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKFLOW_FILE = path.join(ROOT, '.github/workflows/migrations.yml');
const source = fs.readFileSync(WORKFLOW_FILE, 'utf8');

// @action-validator/core embeds the GitHub workflow JSON schema (SchemaStore's) in WebAssembly: offline.
type ValidationState = { errors: { code: string; path?: string; title: string; detail?: string }[] };
const { validateWorkflow } = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow(src: string): ValidationState;
};

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  needs?: string[];
  if?: string;
  environment?: string | { name: string };
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
}
const workflow = parse(source) as {
  on: { pull_request?: unknown; push?: { branches: string[] } };
  jobs: Record<string, Job>;
};

const CHECK_JOBS = ['lint', 'verify-postgres', 'verify-sqlite', 'codegen', 'test'];

function runs(job: string): string {
  return workflow.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');
}

describe('.github/workflows/migrations.yml', () => {
  it('is valid against the GitHub workflow schema', () => {
    const state = validateWorkflow(source);
    expect(state.errors).toEqual([]);
  });

  it('the validator does reject a broken workflow (so the check above means something)', () => {
    const broken = source.replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
    const badEnvironment = source.replace('environment: production', 'environment: [production, staging]');
    expect(validateWorkflow(badEnvironment).errors.length).toBeGreaterThan(0);
  });

  it('runs the checks on pull requests and on pushes to main', () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(workflow.on.push?.branches).toEqual(['main']);
    for (const job of CHECK_JOBS) expect(workflow.jobs[job], job).toBeDefined();
    expect(runs('lint')).toMatch(/npm ci/);
    expect(runs('lint')).toMatch(/npm run -s migrate -- lint --since/);
    expect(workflow.jobs['verify-postgres']!.services?.postgres?.image).toBe('postgres:17');
    expect(runs('verify-postgres')).toMatch(/npm run -s migrate -- verify/);
    expect(runs('verify-sqlite')).toMatch(/npm run -s migrate -- --url sqlite:\S+ verify/);
    expect(runs('codegen')).toMatch(/npm run -s migrate -- codegen --check/);
    expect(runs('codegen')).toMatch(/npm run -s migrate -- schema dump --check/);
    expect(runs('lint')).toMatch(/npm run -s migrate -- sum --check/);
    expect(runs('test')).toMatch(/vitest run/);
    expect(workflow.jobs.test!.env?.TEST_DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('deploys only from main, after every check, behind the production environment with the secret', () => {
    const deploy = workflow.jobs.deploy!;
    expect(deploy.needs).toEqual(CHECK_JOBS);
    expect(deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(deploy.environment).toBe('production');
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false);
    const step = deploy.steps.find((s) => s.run?.includes('scripts/deploy-supabase.sh'));
    expect(step?.run).toBe('bash scripts/deploy-supabase.sh --yes');
    expect(step?.env?.DATABASE_URL).toBe(['${{', 'secrets.SUPABASE_DB_URL', '}}'].join(' '));
    // The secret reaches only the deploy job.
    for (const job of CHECK_JOBS) expect(JSON.stringify(workflow.jobs[job])).not.toContain('SUPABASE_DB_URL');
    expect(fs.statSync(path.join(ROOT, 'scripts/deploy-supabase.sh')).mode & 0o111).not.toBe(0);
  });

  it('every migrate command it runs exists in the CLI', async () => {
    const commands = new Set<string>();
    for (const match of source.matchAll(/migrate -- ((?:--\S+ \S+ )*)([a-z]+)/g)) commands.add(match[2]!);
    expect([...commands].sort()).toEqual(['codegen', 'drift', 'latest', 'lint', 'schema', 'sum', 'verify']);
    for (const command of commands) {
      const help = await runCliInProcess([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: kmigrate ${command}`);
    }
  });

  it("the lint step's base version is the newest migration number on the base branch", () => {
    const sed = /sed -nE '([^']+)'/.exec(runs('lint'))?.[1];
    expect(sed).toBeDefined();
    const listing = [
      'migrations/README.md',
      'migrations/007_add_orders.up.sql',
      'migrations/007_add_orders.down.sql',
      'migrations/012_profiles.ts',
      'migrations/20240101120000_from_supabase.sql',
      'migrations/009_x.ts',
    ].join('\n');
    const out = execFileSync('bash', ['-c', `sed -nE '${sed}' | sort -n | tail -n 1`], {
      input: listing,
    }).toString();
    expect(out.trim()).toBe('20240101120000');
    const small = execFileSync('bash', ['-c', `sed -nE '${sed}' | sort -n | tail -n 1`], {
      input: listing.replace('migrations/20240101120000_from_supabase.sql\n', ''),
    }).toString();
    expect(small.trim()).toBe('12');
  });
});
