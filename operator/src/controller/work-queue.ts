// A controller work queue keyed by object key. Guarantees:
// - a key added while it waits collapses into one entry; added while it is processed, it runs once more afterwards;
// - one reconcile at a time per key, at most `concurrency` at a time overall;
// - a failed key is retried after a per-key exponential backoff with jitter (reset by a success);
// - dispatch is rate limited by a token bucket shared by all keys;
// - shutdown stops taking work and waits for the reconciles in flight.
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from '../runtime/backoff.js';
import { TokenBucket, type RateLimit } from '../runtime/token-bucket.js';

/** What a reconcile asks for besides success: to run again later (a periodic resync, waiting for something). */
export interface ReconcileOutcome {
  requeueAfterMs?: number;
}

export type ReconcileHandler = (key: string) => Promise<ReconcileOutcome | void>;

export interface WorkQueueHooks {
  onDepthChange?(depth: number): void;
  onProcessed?(key: string, result: 'success' | 'error', durationMs: number, error?: unknown): void;
}

export interface WorkQueueOptions {
  concurrency?: number;
  backoff?: BackoffPolicy;
  rateLimit?: RateLimit;
  hooks?: WorkQueueHooks;
  now?: () => number;
  random?: () => number;
  /** A delay the failure itself asks for (an API server's Retry-After); the retry waits at least that long. */
  retryAfterMs?: (error: unknown) => number | undefined;
}

export class WorkQueue {
  /** Keys ready to run, in arrival order (a Set keeps insertion order and collapses duplicates). */
  private readonly ready = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while processing: they go back to `ready` when their reconcile ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bucket: TokenBucket;
  private readonly concurrency: number;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => number;
  private readonly random: () => number;
  private rateTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly handler: ReconcileHandler,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.bucket = new TokenBucket(options.rateLimit ?? { perSecond: 10, burst: 100 }, this.now);
  }

  /** Keys waiting to run (ready or delayed), not counting the ones being processed. */
  get depth(): number {
    let delayedOnly = 0;
    for (const key of this.delayed.keys()) if (!this.ready.has(key)) delayedOnly++;
    return this.ready.size + delayedOnly;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.ready.add(key);
    this.changed();
  }

  /** Adds the key after `delayMs`; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
    this.changed();
  }

  /** Consecutive failures of the key so far (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Stops taking work, drops waiting keys and waits for the reconciles in flight. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.ready.clear();
    this.dirty.clear();
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.rateTimer = undefined;
    this.options.hooks?.onDepthChange?.(0);
    await Promise.allSettled([...this.inFlight]);
  }

  private changed(): void {
    this.options.hooks?.onDepthChange?.(this.depth);
    this.dispatch();
  }

  private dispatch(): void {
    while (!this.stopped && this.processing.size < this.concurrency && this.rateTimer === undefined) {
      const key = this.nextRunnable();
      if (key === undefined) return;
      const waitMs = this.bucket.take();
      if (waitMs > 0) {
        this.rateTimer = setTimeout(() => {
          this.rateTimer = undefined;
          this.dispatch();
        }, waitMs);
        this.rateTimer.unref();
        return;
      }
      this.ready.delete(key);
      this.run(key);
    }
  }

  private nextRunnable(): string | undefined {
    for (const key of this.ready) if (!this.processing.has(key)) return key;
    return undefined;
  }

  private run(key: string): void {
    this.processing.add(key);
    this.options.hooks?.onDepthChange?.(this.depth);
    const started = this.now();
    const done = this.handler(key).then(
      (outcome) => this.finish(key, started, outcome ?? {}, undefined),
      (error: unknown) => this.finish(key, started, undefined, error),
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private finish(key: string, started: number, outcome: ReconcileOutcome | undefined, error: unknown): void {
    this.processing.delete(key);
    const durationMs = this.now() - started;
    if (outcome) {
      this.failures.delete(key);
      this.options.hooks?.onProcessed?.(key, 'success', durationMs);
      if (outcome.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } else {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.options.hooks?.onProcessed?.(key, 'error', durationMs, error);
      const asked = this.options.retryAfterMs?.(error) ?? 0;
      this.addAfter(key, Math.max(asked, backoffDelayMs(failures, this.backoff, this.random)));
    }
    if (this.dirty.delete(key)) this.add(key);
    this.changed();
  }
}
