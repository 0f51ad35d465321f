// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a lease held by another identity
// counts as expired only once WE have seen it unchanged for leaseDuration (no trust in other clocks); every write
// carries the resourceVersion it was based on, so two candidates cannot both win; a leader that cannot renew
// within renewDeadline steps down — on a timer of its own, so a renewal that hangs cannot keep it leading past the
// point where another candidate may take the Lease; a clean shutdown releases the lease so the next leader need not wait.
import type { Logger } from 'pino';
import type { LeaseRecord, LeaseStore } from '../k8s/lease-store.js';

export interface LeaderElectionTiming {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

export interface LeaderElectorOptions {
  identity: string;
  store: LeaseStore;
  timing?: LeaderElectionTiming;
  logger: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  now?: () => number;
}

/** What a candidate should write next, or why it must wait. Pure. */
export function nextLeaseRecord(
  current: LeaseRecord | undefined,
  identity: string,
  observedUnchangedSinceMs: number,
  nowMs: number,
  leaseDurationMs: number,
): { write: LeaseRecord } | { wait: string } {
  const holder = current?.holderIdentity;
  const heldByOther = holder !== undefined && holder !== '' && holder !== identity;
  const durationMs = (current?.leaseDurationSeconds ?? leaseDurationMs / 1000) * 1000;
  if (heldByOther && nowMs - observedUnchangedSinceMs < durationMs) return { wait: `Lease is held by ${holder}` };
  const at = new Date(nowMs);
  const transitions = current?.leaseTransitions ?? 0;
  const isNewHolder = holder !== identity;
  return {
    write: {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: isNewHolder ? at : (current?.acquireTime ?? at),
      renewTime: at,
      leaseTransitions: isNewHolder && current !== undefined ? transitions + 1 : transitions,
      resourceVersion: current?.resourceVersion,
    },
  };
}

function sameRecord(a: LeaseRecord | undefined, b: LeaseRecord | undefined): boolean {
  return a?.resourceVersion === b?.resourceVersion && a?.holderIdentity === b?.holderIdentity;
}

export class LeaderElector {
  private readonly timing: LeaderElectionTiming;
  private readonly now: () => number;
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private lastRenewAt = 0;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** Fires renewDeadline after the last successful renewal started, whatever the attempt in flight is doing. */
  private deadline: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.timing = options.timing ?? DEFAULT_LEADER_ELECTION_TIMING;
    this.now = options.now ?? Date.now;
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops campaigning; a leader steps down and releases the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clearDeadline();
    await this.loop;
    if (this.leading) {
      this.stepDown('Stopped');
      await this.release();
    }
  }

  /** One acquire-or-renew attempt; returns whether we hold the Lease afterwards. Exposed for tests. */
  async tryAcquireOrRenew(): Promise<boolean> {
    // Others time our lease from when they see the write, which is after this: counting from here errs on the safe side.
    const startedAt = this.now();
    const current = await this.options.store.get();
    const now = this.now();
    if (!sameRecord(current, this.observed)) {
      this.observed = current;
      this.observedAt = now;
    }
    const next = nextLeaseRecord(current, this.options.identity, this.observedAt, now, this.timing.leaseDurationMs);
    if ('wait' in next) return false;
    const written = current ? await this.options.store.update(next.write) : await this.options.store.create(next.write);
    this.observed = written;
    this.observedAt = now;
    this.lastRenewAt = startedAt;
    return true;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop = this.attempt().finally(() => {
        this.loop = undefined;
        this.schedule(this.timing.retryPeriodMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    let holds = false;
    try {
      holds = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.logger.warn({ operation: 'leader-election', err: error }, 'Failed to acquire or renew the Lease');
    }
    if (this.stopped) return;
    if (holds) this.armDeadline();
    if (holds && !this.leading) {
      this.leading = true;
      this.options.logger.info({ operation: 'leader-election', identity: this.options.identity }, 'Became the leader');
      this.options.onStartedLeading();
    } else if (!holds && this.leading) {
      const holder = this.observed?.holderIdentity;
      if (holder && holder !== this.options.identity) this.stepDown(`Lease taken over by ${holder}`);
      else if (this.now() - this.lastRenewAt >= this.timing.renewDeadlineMs) this.stepDown('Failed to renew the Lease within the renew deadline');
    }
  }

  private armDeadline(): void {
    this.clearDeadline();
    const remainingMs = this.lastRenewAt + this.timing.renewDeadlineMs - this.now();
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (this.leading && this.now() - this.lastRenewAt >= this.timing.renewDeadlineMs) {
        this.stepDown('Failed to renew the Lease within the renew deadline');
      }
    }, Math.max(0, remainingMs));
    this.deadline.unref();
  }

  private clearDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private stepDown(reason: string): void {
    this.clearDeadline();
    this.leading = false;
    this.options.logger.info({ operation: 'leader-election', identity: this.options.identity, reason }, 'Stopped leading');
    this.options.onStoppedLeading();
  }

  private async release(): Promise<void> {
    try {
      const current = await this.options.store.get();
      if (current?.holderIdentity !== this.options.identity) return;
      const at = new Date(this.now());
      await this.options.store.update({ ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTime: at });
    } catch (error) {
      this.options.logger.warn({ operation: 'leader-election', err: error }, 'Failed to release the Lease');
    }
  }
}
