import { describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import { classifyApiError, describeApiError, retryAfterSeconds } from './errors.js';

const apiError = (code: number, body: unknown = '', headers: Record<string, string> = {}) => new ApiException(code, 'Unsuccessful HTTP Request', body, headers);

describe('classifyApiError', () => {
  it.each([
    [apiError(404), 'NotFound'],
    [apiError(409), 'Conflict'],
    [apiError(410), 'Gone'],
    [apiError(429), 'TooManyRequests'],
    [apiError(403), 'Forbidden'],
    [apiError(422), 'Invalid'],
    [apiError(503), 'ServerError'],
    [Object.assign(new Error('Gone'), { statusCode: 410 }), 'Gone'],
    [new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), 'Network'],
    [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'Network'],
    [new Error('bug'), 'Unknown'],
  ])('classifies %s as %s', (error, kind) => {
    expect(classifyApiError(error)).toBe(kind);
  });
});

describe('describeApiError', () => {
  it("uses the API server's Status message", () => {
    expect(describeApiError(apiError(403, JSON.stringify({ kind: 'Status', message: 'configmaps is forbidden' })))).toBe('HTTP 403: configmaps is forbidden');
  });
});

describe('retryAfterSeconds', () => {
  it('reads the Retry-After header of a 429', () => {
    expect(retryAfterSeconds(apiError(429, '', { 'retry-after': '3' }))).toBe(3);
    expect(retryAfterSeconds(apiError(429))).toBeUndefined();
  });
});
