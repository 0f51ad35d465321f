import { describe, expect, it } from 'vitest';
import { goMemoryLimit } from './sidecar.js';

describe('goMemoryLimit', () => {
  it('is 80% of the memory limit in MiB', () => {
    expect(goMemoryLimit('192Mi')).toBe('153MiB');
    expect(goMemoryLimit('1Gi')).toBe('819MiB');
    expect(goMemoryLimit('500M')).toBe('381MiB');
    expect(goMemoryLimit('268435456')).toBe('204MiB');
  });

  it('is absent without a limit or for a quantity it does not understand', () => {
    expect(goMemoryLimit(undefined)).toBeUndefined();
    expect(goMemoryLimit('1e3Mi')).toBeUndefined();
    expect(goMemoryLimit('1Ki')).toBeUndefined();
  });
});
