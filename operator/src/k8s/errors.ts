// Kubernetes API errors classified by what the caller should do about them.
import { ApiException } from '@kubernetes/client-node';

export type ApiErrorKind =
  | 'NotFound' // 404: the object is gone; for a reconcile that means done
  | 'Conflict' // 409: stale resourceVersion or already exists; re-read and retry
  | 'Gone' // 410: the resourceVersion expired; relist
  | 'TooManyRequests' // 429: back off (Retry-After)
  | 'Forbidden' // 403: RBAC; retrying will not help until the ClusterRole changes
  | 'Invalid' // 400/422: our request is wrong
  | 'ServerError' // 5xx: retry with backoff
  | 'Network' // no HTTP answer at all: retry with backoff
  | 'Unknown';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

/** The HTTP status of an API error, from ApiException (`code`) or a watch error (`statusCode`). */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  // A DOMException's `code` (23 for a TimeoutError) is not an HTTP status.
  if (typeof code === 'number' && code >= 100 && code <= 599) return code;
  return undefined;
}

function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    current = cause;
  }
  return false;
}

export function classifyApiError(error: unknown): ApiErrorKind {
  const status = statusOf(error);
  if (status === undefined) return isNetworkError(error) ? 'Network' : 'Unknown';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 410) return 'Gone';
  if (status === 429) return 'TooManyRequests';
  if (status === 403) return 'Forbidden';
  if (status === 400 || status === 422) return 'Invalid';
  if (status >= 500) return 'ServerError';
  return 'Unknown';
}

export const isNotFound = (error: unknown): boolean => classifyApiError(error) === 'NotFound';
export const isConflict = (error: unknown): boolean => classifyApiError(error) === 'Conflict';

/** Seconds from a 429's Retry-After header, if the server sent one. */
export function retryAfterSeconds(error: unknown): number | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const headers = error.headers as Record<string, string> | undefined;
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A short message for status fields and Events: the API server's own message when it sent one. */
export function describeApiError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return `HTTP ${error.code}: ${typeof message === 'string' ? message : error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
