import { describe, expect, it } from 'vitest';
import { alignColumns } from '../../src/cli/align-columns.ts';

describe('alignColumns (status table)', () => {
  it('pads every column to its widest cell plus two spaces and trims line ends', () => {
    expect(
      alignColumns([
        ['version', 'name', 'ms'],
        ['1', 'a_long_name', ''],
        ['10', 'b', '3'],
      ]),
    ).toBe(['version  name         ms', '1        a_long_name', '10       b            3'].join('\n'));
  });

  it('measures what the terminal shows: colour codes take no room', () => {
    const red = '\u001b[31mmissing\u001b[39m';
    expect(
      alignColumns([
        [red, 'x'],
        ['ok', 'y'],
      ]).split('\n'),
    ).toEqual([`${red}  x`, 'ok       y']);
  });
});
