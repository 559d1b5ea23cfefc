/**
 * B6, codegen: `codegen --check` when nothing changed (the fingerprint hit)
 * against a full regeneration (`codegen` with the generated file removed),
 * both through the package bin on the 100-migration workload. Skips with a
 * note while `codegen --check` does not work yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './lib/context.ts';
import { runProcess } from './lib/run-process.ts';
import { ratio, type Summary, summarize } from './lib/stats.ts';
import { oursEnv } from './lib/tools.ts';
import { writeWorkload } from './lib/workload.ts';

export interface B6Result {
  skipped?: string;
  runs?: number;
  check?: Summary;
  regenerate?: Summary;
  /** regenerate / check. */
  speedup?: { min: number; median: number; max: number };
}

export async function runB6(ctx: BenchContext): Promise<B6Result> {
  const runs = ctx.quick ? 2 : 7;
  const w = writeWorkload(100, 'postgres');
  const project = path.join(ctx.tmp, 'b6-project');
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(project, { recursive: true });
  // A project of its own: the config search stops at its package.json instead of finding the
  // repository's kysely.config.ts (which would send the output to the repository's generated/).
  fs.writeFileSync(path.join(project, 'package.json'), '{ "private": true, "type": "module" }\n');
  const outFile = path.join(project, 'generated', 'db.ts');
  const bin = path.join(ctx.root, 'bin', 'kmigrate.cjs');
  // The scratch databases codegen builds on are created in the bench's server (no second server per run).
  const env = { ...oursEnv(), KMIGRATE_CODEGEN_DATABASE_URL: ctx.pg.adminUrl };
  const codegen = (...flags: string[]) =>
    runProcess('node', [bin, 'codegen', '--url', ctx.pg.adminUrl, '--dir', w.sqlDir, ...flags], {
      cwd: project,
      env,
    });

  const first = await codegen();
  const probe = first.code === 0 ? await codegen('--check') : first;
  if (first.code !== 0 || probe.code !== 0 || !fs.existsSync(outFile)) {
    const why = (probe.stderr || probe.stdout).trim().split('\n')[0] ?? '';
    const note = `skipped: \`codegen\`/\`codegen --check\` did not work yet (exit ${probe.code}: ${why})`;
    ctx.log(`B6 ${note}`);
    return { skipped: note };
  }
  const check: number[] = [];
  const regenerate: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const c = await codegen('--check');
    check.push(performance.now() - t);
    if (c.code !== 0) throw new Error(`B6: codegen --check exited ${c.code}: ${c.stderr.trim()}`);
    fs.rmSync(outFile);
    t = performance.now();
    const g = await codegen();
    regenerate.push(performance.now() - t);
    if (g.code !== 0 || !fs.existsSync(outFile))
      throw new Error(`B6: codegen exited ${g.code}: ${g.stderr.trim()}`);
  }
  const c = summarize(check);
  const g = summarize(regenerate);
  ctx.log(`B6: codegen --check ${Math.round(c.median)} ms, full regeneration ${Math.round(g.median)} ms`);
  return { runs, check: c, regenerate: g, speedup: ratio(g, c) };
}
