// A token bucket: on average `perSecond` operations, bursts up to `burst`. Shared by all keys of a queue so a storm
// of events (a resync, a namespace full of changes) cannot hammer the API server or the X-Ray API.

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now();
  }

  /** Takes a token and returns 0, or returns how many ms to wait until one is available (taking nothing). */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }

  private refill(): void {
    const at = this.now();
    const elapsedSeconds = (at - this.updatedAt) / 1000;
    this.updatedAt = at;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsedSeconds * this.limit.perSecond);
  }
}
