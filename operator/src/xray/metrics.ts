import type { Counter } from 'prom-client';
import { awsErrorName } from './errors.js';

/** The counter the sync reports X-Ray API calls to (`xray_operator_xray_api_calls_total` of controllerMetrics). */
export type XRayApiCallCounter = Counter<'operation' | 'outcome'>;

const KNOWN_OUTCOMES: Record<string, string> = {
  ThrottledException: 'throttled',
  Throttling: 'throttled',
  LimitExceededFault: 'limit_exceeded',
  AccessDeniedException: 'access_denied',
  AccessDenied: 'access_denied',
  RuleLimitExceededException: 'rule_limit_exceeded',
  InvalidRequestException: 'invalid_request',
  ResourceNotFoundException: 'not_found',
  TooManyTagsException: 'too_many_tags',
};

/** A bounded label value for a call's outcome: success, a known AWS error, or error. */
export function callOutcome(err?: unknown): string {
  if (err === undefined) return 'success';
  return KNOWN_OUTCOMES[awsErrorName(err) ?? ''] ?? 'error';
}
