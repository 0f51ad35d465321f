import { describe, expect, it } from 'vitest';
import { attributeKeys, attributeLengthProblem, encodeAttributeText, withoutRejectedEntries } from './attribute-format.js';
import { unescapeForKubelet } from './env-sources.js';

describe('OTEL_RESOURCE_ATTRIBUTES format', () => {
  it('round-trips any text through the decodeURIComponent the SDK applies', () => {
    const samples = ['prod eu,1=2;$x%', ' padded ', 'ünïcödé 🚀', 'a\\b"c', 'tab\there', '%41', 'k=v,k2=v2'];
    for (const text of samples) expect(decodeURIComponent(encodeAttributeText(text))).toBe(text);
  });

  it('leaves W3C Baggage value characters readable, so ARNs, URLs and paths stay legible', () => {
    const arn = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
    expect(encodeAttributeText(arn)).toBe(arn);
    expect(encodeAttributeText('https://example.com/a?b#c')).toBe('https://example.com/a?b#c');
    expect(encodeAttributeText('a+b')).toBe('a+b');
  });

  it('encodes what the SDK splits on or decodes, what it trims and what kubelet expands', () => {
    expect(encodeAttributeText('a,b=c%d e;f$(G)')).toBe('a%2Cb%3Dc%25d%20e%3Bf%24(G)');
  });

  it('replaces a lone surrogate instead of throwing, so user data never breaks injection', () => {
    expect(decodeURIComponent(encodeAttributeText('x\ud800y'))).toBe('x\ufffdy');
  });

  it('applies the 255 limit to the decoded text in UTF-16 code units, as the SDK counts', () => {
    expect(attributeLengthProblem('k', 'v'.repeat(255))).toBeUndefined();
    expect(attributeLengthProblem('k', 'v'.repeat(256))).toMatch(/value has 256 characters \(limit 255\)/);
    expect(attributeLengthProblem('k', '🚀'.repeat(128))).toMatch(/value has 256 characters/);
    expect(attributeLengthProblem('k'.repeat(256), 'v')).toMatch(/key has 256 characters/);
    expect(attributeLengthProblem('', 'v')).toBe('its key is empty');
    // Percent-encoding makes the text longer, not the value the SDK sees.
    expect(attributeLengthProblem('k', ' '.repeat(255))).toBeUndefined();
  });

  it('leaves out exactly the entries the SDK would reject and keeps the rest as written', () => {
    const value = `a=1, b = 2 ,,bad=x=y,c=%zz,=empty,d=${'x'.repeat(256)},e=${encodeURIComponent('é'.repeat(255))}`;
    const result = withoutRejectedEntries(value);
    expect(result.value).toBe(`a=1, b = 2 ,,e=${encodeURIComponent('é'.repeat(255))}`);
    expect(result.dropped.map((d) => d.entry.slice(0, 6))).toEqual(['bad=x=', 'c=%zz', '=empty', 'd=xxxx']);
  });

  it('returns a value with nothing to leave out unchanged', () => {
    expect(withoutRejectedEntries(' a=1, b=2,')).toEqual({ value: ' a=1, b=2,', dropped: [] });
  });

  it('measures an explicit env value as the process sees it after kubelet ($$ is one $)', () => {
    const value = `m=${'y'.repeat(254)}$$`;
    expect(withoutRejectedEntries(value, unescapeForKubelet).dropped).toEqual([]);
    expect(withoutRejectedEntries(value).dropped).toHaveLength(1);
  });

  it('reads keys decoded, and not those of rejected entries', () => {
    expect([...attributeKeys('a%2Eb=1, c =2,d=%zz')]).toEqual(['a.b', 'c']);
  });
});
