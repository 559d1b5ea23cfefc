import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.ts';
import { Reporter } from '../../src/cli/reporter.ts';
import type { StepResult } from '../../src/index.ts';

function capture(): { io: CliIO; out: string[] } {
  const out: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(`[err] ${t}`),
    isTTY: false,
    confirm: async () => false,
    env: { NO_COLOR: '1' },
    cwd: '/',
  };
  return { io, out };
}

const skipped = (version: number, name: string): StepResult => ({
  version,
  name,
  direction: 'up',
  status: 'skipped',
  ms: 0,
});

describe('Reporter: migrations another process did meanwhile', () => {
  it('one of them: the line it always had', () => {
    const { io, out } = capture();
    const reporter = new Reporter(io, {});
    reporter.onEvent({ type: 'done', result: skipped(3, 'c') });
    reporter.info('next');
    expect(out).toEqual(['  = skipped  3_c (done by another process)\n', 'next\n']);
  });

  it('many of them: one line naming the first and the last, before whatever is printed next', () => {
    const { io, out } = capture();
    const reporter = new Reporter(io, {});
    for (let v = 1; v <= 100; v++) reporter.onEvent({ type: 'done', result: skipped(v, `t${v}`) });
    expect(out).toEqual([]);
    reporter.warn('something');
    expect(out).toEqual([
      '  = skipped  1_t1 … 100_t100 (100 migrations) (done by another process)\n',
      '[err] warning: something\n',
    ]);
  });

  it('printed when the burst ends even if nothing else is (an error may go through another reporter)', async () => {
    const { io, out } = capture();
    const reporter = new Reporter(io, {});
    reporter.onEvent({ type: 'done', result: skipped(1, 'a') });
    reporter.onEvent({ type: 'done', result: skipped(2, 'b') });
    await Promise.resolve();
    expect(out).toEqual(['  = skipped  1_a, 2_b (done by another process)\n']);
  });
});
