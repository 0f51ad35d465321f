import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { LeaseRecord, LeaseStore } from '../k8s/lease-store.js';
import { LeaderElector, nextLeaseRecord } from './leader-election.js';

const logger = pino({ level: 'silent' });

/** An in-memory Lease with the API server's optimistic concurrency (resourceVersion) and an outage switch. */
class MemoryLeaseStore implements LeaseStore {
  record: LeaseRecord | undefined;
  failing = false;
  /** Runs inside the next update, before the version check: another writer getting there first. */
  interleave: (() => void) | undefined;
  private version = 100;

  get(): Promise<LeaseRecord | undefined> {
    return this.answer(() => this.record && { ...this.record });
  }
  create(record: LeaseRecord): Promise<LeaseRecord> {
    return this.answer(() => {
      if (this.record) throw Object.assign(new Error('already exists'), { code: 409 });
      return this.save(record);
    });
  }
  update(record: LeaseRecord): Promise<LeaseRecord> {
    return this.answer(() => {
      const interleave = this.interleave;
      this.interleave = undefined;
      interleave?.();
      if (record.resourceVersion !== this.record?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
      return this.save(record);
    });
  }
  /** Answers asynchronously, like a server, or fails like an unreachable one. */
  private answer<T>(respond: () => T): Promise<T> {
    return Promise.resolve().then(() => {
      if (this.failing) throw new Error('connect ECONNREFUSED');
      return respond();
    });
  }
  private save(record: LeaseRecord): LeaseRecord {
    this.record = { ...record, resourceVersion: String(++this.version) };
    return { ...this.record };
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(identity: string, store: LeaseStore): { elector: LeaderElector; events: string[] } {
  const events: string[] = [];
  const elector = new LeaderElector({
    identity,
    store,
    timing,
    logger,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { elector, events };
}

describe('nextLeaseRecord', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['takes a Lease nobody holds', undefined, 0, 'write', 0],
    ['renews its own Lease without counting a transition', { holderIdentity: 'me', leaseTransitions: 3, leaseDurationSeconds: 15 }, 0, 'write', 3],
    ['waits while another holder renewed within the lease duration', { holderIdentity: 'other', leaseDurationSeconds: 15 }, 14_999, 'wait', 0],
    ['takes over a Lease unchanged for the whole lease duration', { holderIdentity: 'other', leaseTransitions: 1, leaseDurationSeconds: 15 }, 15_000, 'write', 2],
    ['takes a released Lease at once, counting a transition', { holderIdentity: '', leaseTransitions: 1, leaseDurationSeconds: 1 }, 0, 'write', 2],
  ] as const)('%s', (_name, current, elapsedMs, expected, transitions) => {
    const next = nextLeaseRecord(current, 'me', t0, t0 + elapsedMs, 15_000);
    expect('write' in next ? 'write' : 'wait').toBe(expected);
    if ('write' in next) {
      expect(next.write.holderIdentity).toBe('me');
      expect(next.write.leaseTransitions).toBe(transitions);
      expect(next.write.renewTime?.getTime()).toBe(t0 + elapsedMs);
    }
  });
});

describe('LeaderElector', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets exactly one of two candidates lead', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate('a', store);
    const b = candidate('b', store);
    a.elector.start();
    b.elector.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(store.record?.holderIdentity).toBe(a.elector.isLeader() ? 'a' : 'b');
    await a.elector.stop();
    await b.elector.stop();
  });

  it('hands over within one retry period when the leader releases the Lease on shutdown', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate('a', store);
    a.elector.start();
    await vi.advanceTimersByTimeAsync(100);
    const b = candidate('b', store);
    b.elector.start();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    await a.elector.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs + 100);
    expect(b.elector.isLeader()).toBe(true);
    expect(store.record?.leaseTransitions).toBe(1);
    await b.elector.stop();
  });

  it('takes over from a leader that vanished only after the lease duration', async () => {
    const store = new MemoryLeaseStore();
    store.record = { holderIdentity: 'crashed', leaseDurationSeconds: 15, renewTime: new Date(), resourceVersion: '7' };
    const b = candidate('b', store);
    b.elector.start();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(b.elector.isLeader()).toBe(false);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(b.elector.isLeader()).toBe(true);
    await b.elector.stop();
  });

  it('steps down when it cannot renew within the renew deadline, and leads again once it can', async () => {
    const store = new MemoryLeaseStore();
    const a = candidate('a', store);
    a.elector.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(a.elector.isLeader()).toBe(true);
    store.failing = true;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(a.elector.isLeader()).toBe(true);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(a.elector.isLeader()).toBe(false);
    store.failing = false;
    await vi.advanceTimersByTimeAsync(4_000);
    expect(a.events).toEqual(['started', 'stopped', 'started']);
    await a.elector.stop();
  });

  it('steps down on time while a renewal hangs, before another candidate can take the Lease: never two leaders', async () => {
    const store = new MemoryLeaseStore();
    // a's view of the API server: once `hung`, it accepts a's calls and never answers, while b's are answered.
    let hung = false;
    const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
    const aStore: LeaseStore = {
      get: () => (hung ? never() : store.get()),
      create: (record) => (hung ? never() : store.create(record)),
      update: (record) => (hung ? never() : store.update(record)),
    };
    const a = candidate('a', aStore);
    a.elector.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(a.elector.isLeader()).toBe(true);
    const b = candidate('b', store);
    b.elector.start();
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
    hung = true;
    let both = 0;
    for (let elapsed = 0; elapsed < 30_000; elapsed += 100) {
      await vi.advanceTimersByTimeAsync(100);
      if (a.elector.isLeader() && b.elector.isLeader()) both++;
    }
    expect(both).toBe(0);
    expect(a.events).toEqual(['started', 'stopped']);
    expect(b.elector.isLeader()).toBe(true);
    await b.elector.stop();
  });

  it('loses a race on the same resourceVersion instead of overwriting the winner', async () => {
    const store = new MemoryLeaseStore();
    store.record = { holderIdentity: '', leaseDurationSeconds: 1, resourceVersion: '1' };
    store.interleave = () => {
      store.record = { holderIdentity: 'b', leaseDurationSeconds: 15, resourceVersion: '2' };
    };
    const a = candidate('a', store);
    await expect(a.elector.tryAcquireOrRenew()).rejects.toThrow('conflict');
    expect(store.record.holderIdentity).toBe('b');
    expect(a.elector.isLeader()).toBe(false);
  });
});
