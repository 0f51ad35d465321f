import { describe, expect, it } from 'vitest';
import { compareText } from './compare-text.js';

describe('compareText', () => {
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['same', 'same', 0],
    ['', 'a', -1],
    ['app', 'apple', -1],
    // Code-unit order, not a locale's: upper case sorts before lower case, digits before letters.
    ['Zebra', 'apple', -1],
    ['ns-10', 'ns-9', -1],
    ['2026-11-30T05:00:00Z', '2026-11-30T04:59:59Z', 1],
  ])('compareText(%j, %j) is %i', (a, b, expected) => {
    expect(compareText(a, b)).toBe(expected);
  });

  it('sorts like the default sort', () => {
    const names = ['web', 'Web', 'api-2', 'api-10', 'é', 'e', 'z'];
    expect([...names].sort(compareText)).toEqual([...names].sort());
  });
});
