import { describe, expect, it } from 'vitest';
import { supportsNativeSidecars } from './kubernetes-version.js';

describe('supportsNativeSidecars', () => {
  it.each([
    [{ major: '1', minor: '29' }, true],
    [{ major: '1', minor: '34' }, true],
    [{ major: '1', minor: '30+' }, true],
    [{ major: '1', minor: '28' }, false],
    [{ major: '1', minor: '28+' }, false],
    [{ major: '2', minor: '0' }, true],
    [{}, false],
  ])('%o → %s', (version, expected) => {
    expect(supportsNativeSidecars(version)).toBe(expected);
  });
});
