// Bounded retries of one X-Ray call: exponential backoff with jitter on throttling and server errors, every attempt
// counted by operation and outcome.
import { backoffDelayMs, type BackoffPolicy } from '../runtime/backoff.js';
import { isRetryable, isThrottle, XRayThrottledError } from './errors.js';
import { callOutcome, type XRayApiCallCounter } from './metrics.js';

export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

/** 5 attempts over at most ~3 s: enough for a burst of throttling, short enough to keep a reconcile responsive. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ maxAttempts: 5, baseMs: 200, maxMs: 2000, jitter: 0.5 });

export interface RetryDeps {
  policy: RetryPolicy;
  calls: XRayApiCallCounter;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export async function callWithRetry<T>(operation: string, deps: RetryDeps, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await call();
      deps.calls.inc({ operation, outcome: callOutcome() });
      return result;
    } catch (err) {
      deps.calls.inc({ operation, outcome: callOutcome(err) });
      if (!isRetryable(err)) throw err;
      if (attempt >= deps.policy.maxAttempts) {
        if (isThrottle(err)) throw new XRayThrottledError(operation, attempt, err);
        throw err;
      }
      await deps.sleep(backoffDelayMs(attempt, deps.policy, deps.random));
    }
  }
}
