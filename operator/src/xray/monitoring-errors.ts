// How a failed X-Ray group or CloudWatch alarm call reads on the MonitoringSynced condition, and whether waiting helps.
import { awsErrorName, httpStatus, isRetryable, SamplingSyncError } from './errors.js';

export type MonitoringFailureReason = 'Throttled' | 'AWSUnreachable' | 'AccessDenied' | 'InvalidRequest' | 'LimitExceeded' | 'NameConflict' | 'SyncFailed';

export interface MonitoringFailure {
  reason: MonitoringFailureReason;
  message: string;
  /** Retrying soon can help (throttling, network, AWS 5xx); otherwise someone has to act. */
  transient: boolean;
}

/** A failure that stops the whole sync (transient, or the listing itself failed): the status keeps what it had. */
export class MonitoringSyncError extends Error {
  constructor(readonly failure: MonitoringFailure, options?: ErrorOptions) {
    super(failure.message, options);
    this.name = 'MonitoringSyncError';
  }
}

const LIMIT_NAMES = new Set(['LimitExceededFault', 'LimitExceededException', 'RuleLimitExceededException']);
const ACCESS_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

/** `service`: X-Ray or CloudWatch; `what`: the call and its object, e.g. "CreateGroup for group web-1a2b3c4d". */
export function classifyAwsFailure(service: string, what: string, error: unknown): MonitoringFailure {
  // callWithRetry gives up on throttling with its own error; the AWS error is its cause.
  const cause = error instanceof SamplingSyncError && error.reason === 'XRayThrottled' ? error.cause : error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const name = awsErrorName(cause);
  const status = httpStatus(cause);
  if (error !== cause) return { reason: 'Throttled', message: `${service} throttled ${what} on every retry; retrying with backoff`, transient: true };
  if ((name !== undefined && ACCESS_NAMES.has(name)) || status === 403) return { reason: 'AccessDenied', message: `${service} denied ${what}: ${detail} (see the IAM policy in docs/monitoring.md)`, transient: false };
  if (name !== undefined && LIMIT_NAMES.has(name)) return { reason: 'LimitExceeded', message: `${service} refused ${what}: the account's quota is reached (${detail})`, transient: false };
  if (status === undefined) return { reason: 'AWSUnreachable', message: `Could not reach the ${service} API for ${what} (${detail}); retrying with backoff`, transient: true };
  if (isRetryable(cause)) return { reason: 'SyncFailed', message: `${service} ${what} failed: ${detail}; retrying with backoff`, transient: true };
  if (status === 400) return { reason: 'InvalidRequest', message: `${service} rejected ${what}: ${detail}`, transient: false };
  return { reason: 'SyncFailed', message: `${service} ${what} failed: ${detail}`, transient: false };
}
