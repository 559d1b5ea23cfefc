import { afterEach, expect, it, vi } from 'vitest';
import { optionalTool, RequiredToolMissingError } from '../support/optional-tool.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

it('finds an installed program (sh) and reports it available', () => {
  const tool = optionalTool('sh', { env: 'KMIGRATE_REQUIRE_SH', install: 'apt-get install dash' });
  expect(tool.available).toBe(true);
  expect(tool.path).toMatch(/\/sh$/);
});

it('a missing program: skipped, with a printed message that says how to enable the tests', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const tool = optionalTool('kmigrate-no-such-tool-1', {
    env: 'KMIGRATE_REQUIRE_X',
    install: 'apt-get install x',
  });
  expect(tool.available).toBe(false);
  expect(tool.skipReason).toMatch(
    /kmigrate-no-such-tool-1 is not installed.*apt-get install x.*KMIGRATE_REQUIRE_X=1/,
  );
  expect(warn).toHaveBeenCalledWith(expect.stringContaining('apt-get install x'));
});

it('a missing program with <env>=1 (CI): fails instead of skipping', () => {
  vi.stubEnv('KMIGRATE_REQUIRE_Y', '1');
  expect(() =>
    optionalTool('kmigrate-no-such-tool-2', { env: 'KMIGRATE_REQUIRE_Y', install: 'apt-get install y' }),
  ).toThrow(RequiredToolMissingError);
});
