import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelayMs } from '../runtime/backoff.js';
import { WorkQueue, type ReconcileOutcome } from './work-queue.js';

interface Call {
  key: string;
  settle(outcome?: ReconcileOutcome | Error): void;
}

/** A handler whose calls stay open until the test settles them. */
function controllableHandler(): { calls: Call[]; running: () => string[]; handler: (key: string) => Promise<ReconcileOutcome | void> } {
  const calls: Call[] = [];
  const open = new Set<Call>();
  const handler = (key: string): Promise<ReconcileOutcome | void> =>
    new Promise((resolve, reject) => {
      const call: Call = {
        key,
        settle(outcome) {
          open.delete(call);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      calls.push(call);
      open.add(call);
    });
  return { calls, running: () => [...open].map((call) => call.key), handler };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const noRateLimit = { perSecond: 1000, burst: 1000 };

  it('collapses a key added several times while it waits into one reconcile', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { concurrency: 1, rateLimit: noRateLimit });
    queue.add('blocker');
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/a');
    expect(queue.depth).toBe(1);
    calls[0]!.settle();
    await flush();
    expect(calls.map((call) => call.key)).toEqual(['blocker', 'ns/a']);
  });

  it('runs a key added during its reconcile exactly once more, after it, never in parallel', async () => {
    const { calls, running, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { concurrency: 4, rateLimit: noRateLimit });
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/a');
    expect(running()).toEqual(['ns/a']);
    calls[0]!.settle();
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.settle();
    await flush();
    expect(calls).toHaveLength(2);
  });

  it('never runs more reconciles at once than its concurrency', async () => {
    const { running, calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { concurrency: 2, rateLimit: noRateLimit });
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    expect(running()).toEqual(['a', 'b']);
    calls[0]!.settle();
    await flush();
    expect(running()).toEqual(['b', 'c']);
  });

  it('retries a failing key with growing backoff and resets it after a success', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, {
      rateLimit: noRateLimit,
      backoff: { baseMs: 100, maxMs: 1000, jitter: 0.5 },
      random: () => 0,
    });
    queue.add('k');
    calls[0]!.settle(new Error('boom'));
    await flush();
    expect(queue.failuresOf('k')).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    calls[1]!.settle(new Error('boom'));
    await flush();
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    calls[2]!.settle();
    await flush();
    expect(queue.failuresOf('k')).toBe(0);
  });

  it('waits at least as long as a failure asks for (Retry-After)', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, {
      rateLimit: noRateLimit,
      backoff: { baseMs: 100, maxMs: 1000, jitter: 0 },
      retryAfterMs: (error) => ((error as Error).message === 'slow down' ? 3000 : undefined),
    });
    queue.add('k');
    calls[0]!.settle(new Error('slow down'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('requeues a successful key when the reconcile asks for it', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { rateLimit: noRateLimit });
    queue.add('k');
    calls[0]!.settle({ requeueAfterMs: 5000 });
    await flush();
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('keeps the earlier of two delays for the same key', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { rateLimit: noRateLimit });
    queue.addAfter('k', 1000);
    queue.addAfter('k', 5000);
    expect(queue.depth).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    calls[0]!.settle();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
  });

  it('rate limits dispatch across keys', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { concurrency: 10, rateLimit: { perSecond: 2, burst: 2 } });
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(4);
  });

  it('reports its depth and each outcome to the hooks', async () => {
    const { calls, handler } = controllableHandler();
    const depths: number[] = [];
    const results: string[] = [];
    const queue = new WorkQueue(handler, {
      concurrency: 1,
      rateLimit: noRateLimit,
      hooks: { onDepthChange: (depth) => depths.push(depth), onProcessed: (key, result) => results.push(`${key}:${result}`) },
    });
    queue.add('a');
    queue.add('b');
    expect(depths.at(-1)).toBe(1);
    calls[0]!.settle(new Error('x'));
    await flush();
    calls[1]!.settle();
    await flush();
    expect(results).toEqual(['a:error', 'b:success']);
  });

  it('drains on shutdown: waits for reconciles in flight, drops waiting keys and ignores new ones', async () => {
    const { calls, handler } = controllableHandler();
    const queue = new WorkQueue(handler, { concurrency: 1, rateLimit: noRateLimit });
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 100);
    let drained = false;
    const shutdown = queue.shutdown().then(() => {
      drained = true;
    });
    queue.add('d');
    await flush();
    expect(drained).toBe(false);
    calls[0]!.settle();
    await shutdown;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((call) => call.key)).toEqual(['a']);
    expect(queue.depth).toBe(0);
  });
});

describe('backoffDelayMs', () => {
  const policy = { baseMs: 500, maxMs: 60_000, jitter: 0.2 };
  it.each([
    [1, 0, 500],
    [2, 0, 1000],
    [5, 0, 8000],
    [8, 0, 60_000],
    [10_000, 0, 60_000],
    [1, 1, 400],
    [8, 0.5, 54_000],
  ])('after %i failures with random %d waits %i ms', (failures, random, expected) => {
    expect(backoffDelayMs(failures, policy, () => random)).toBe(expected);
  });
});
