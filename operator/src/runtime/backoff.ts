// Exponential backoff with jitter, capped: the delay before retry number `failures` (1-based).

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0..1: the delay is spread over [d·(1−jitter), d]. Spreads retries of keys that failed together. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, maxMs: 5 * 60_000, jitter: 0.2 });

export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, failures - 1);
  // 2^exponent overflows to Infinity long after it passes any sane cap; Math.min handles that.
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(capped * (1 - policy.jitter * random()));
}
