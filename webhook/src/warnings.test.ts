import { describe, expect, it } from 'vitest';
import { MAX_TOTAL_WARNING_RUNES, MAX_WARNING_RUNES, sanitizeWarnings } from './warnings.js';

describe('sanitizeWarnings', () => {
  it('turns newlines, tabs and other control characters into single spaces (the API server drops such warnings)', () => {
    expect(sanitizeWarnings(['line one\nline two\r\n\tthree\u0007'])).toEqual(['line one line two three']);
  });

  it('drops empty and duplicate warnings, keeping the order', () => {
    expect(sanitizeWarnings(['b', '', ' \n ', 'a', 'b'])).toEqual(['b', 'a']);
  });

  it('keeps long warnings whole while the total stays within 4096 code points', () => {
    const long = 'x'.repeat(1000);
    expect(sanitizeWarnings([long, 'short'])).toEqual([long, 'short']);
  });

  it('over 4096 code points in all, cuts each to 256 and drops what still does not fit, counting code points not UTF-16 units', () => {
    const emoji = '🙂'.repeat(400);
    const warnings = Array.from({ length: 20 }, (_, i) => `${i} ${emoji}`);
    const result = sanitizeWarnings(warnings);
    for (const warning of result) expect([...warning].length).toBeLessThanOrEqual(MAX_WARNING_RUNES);
    expect(result[0]?.endsWith('…')).toBe(true);
    expect(result.reduce((n, w) => n + [...w].length, 0)).toBeLessThanOrEqual(MAX_TOTAL_WARNING_RUNES);
    expect(result).toHaveLength(Math.floor(MAX_TOTAL_WARNING_RUNES / MAX_WARNING_RUNES));
  });
});
