// Assertions shared by the preload tests.
import { expect } from 'vitest';
import type { ReceivedSpan } from './otlp-receiver.js';

export const SERVER = 2;
export const CLIENT = 3;

/** X-Ray trace IDs start with the epoch seconds of the request (AWSXRayIdGenerator). */
export function expectXRayTraceId(traceId: string): void {
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const seconds = parseInt(traceId.slice(0, 8), 16);
  expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(120);
}

export function serverSpanFor(spans: readonly ReceivedSpan[], path: string): ReceivedSpan | undefined {
  return spans.find((span) => span.kind === SERVER && (span.attributes['url.path'] === path || span.attributes['http.target'] === path));
}
