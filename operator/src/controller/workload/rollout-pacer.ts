// The rollout budget at the edge: which operator-caused rolls may start now (core/src/rollout/pacing.ts decides).
// The rollouts holding a place are derived from the workloads in the caches (our restartedAt stamp on the pod
// template, and the workload's status), so a new leader counts the same ones. Kept in memory are only the workloads
// asking for a roll (they ask again on every reconcile while they wait) and the rolls just written, until the cache
// shows them.
import type { QueuedRollout, RolloutsStatus } from '../../../../core/src/api/types.js';
import { DEFAULTS } from '../../../../core/src/api/defaults.js';
import { Annotations } from '../../../../core/src/constants.js';
import { decideRollouts, type PacingDecision, type RolloutCandidate, type RolloutPriority, type StartedRollout } from '../../../../core/src/rollout/pacing.js';
import { rolloutProgress, type RolloutObservation } from '../../../../core/src/rollout/progress.js';
import type { ClusterCaches, Workload, WorkloadKind } from '../../k8s/caches.js';
import type { ControllerMetrics } from '../../metrics/controller-metrics.js';
import type { TracingConfigs } from '../tracing/tracing-config.js';
import { WORKLOAD_KINDS, workloadKey } from './keys.js';

/** How long the rollouts derived from the caches are reused: every waiting workload asks every few seconds. */
const VIEW_MAX_AGE_MS = 500;
/** A waiting workload that stopped asking (deleted, no longer wanting a roll, another leader) leaves the queue. */
const CANDIDATE_TTL_MS = 30_000;
/** Status and metrics of a namespace are published this long after its last change, from a fresh view. */
const PUBLISH_DELAY_MS = 600;
const QUEUED_LIST_LIMIT = 20;

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

interface Candidate extends RolloutCandidate {
  ref: WorkloadRef;
  reason: string;
  askedAtMs: number;
}

export interface RolloutPacerDeps {
  caches: ClusterCaches;
  configs: TracingConfigs;
  /** Operator-caused rollouts at once in the cluster; undefined: no cap. */
  perCluster?: number;
  metrics?: Pick<ControllerMetrics, 'rollouts'>;
  now?: () => Date;
}

export interface RolloutRequest {
  reason: string;
  priority: RolloutPriority;
  /** The restartedAt stamp the roll will write. */
  stamp: string;
}

function observationOf(kind: WorkloadKind, workload: Workload): RolloutObservation {
  const spec = workload.spec as { replicas?: number; updateStrategy?: { rollingUpdate?: { partition?: number } } } | undefined;
  return {
    kind,
    generation: workload.metadata?.generation,
    replicas: spec?.replicas,
    partition: spec?.updateStrategy?.rollingUpdate?.partition,
    status: workload.status,
  };
}

export class RolloutPacer {
  private readonly now: () => Date;
  private readonly candidates = new Map<string, Candidate>();
  /** Rolls written (or being written) that the cache may not show yet: key → stamp. */
  private readonly starting = new Map<string, { namespace: string; stamp: string }>();
  private view: { atMs: number; started: StartedRollout[] } | undefined;
  private readonly listeners: ((namespace: string) => void)[] = [];
  private readonly published = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private publishTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RolloutPacerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Called with a namespace whose status.rollouts changed. */
  onChange(listener: (namespace: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Asks to roll a workload now. true: its place is taken, write the roll (then `written`); false: it waits in the queue,
   * ask again later.
   */
  request(ref: WorkloadRef, request: RolloutRequest): boolean {
    const key = workloadKey(ref.kind, ref.namespace, ref.name);
    const nowMs = this.now().getTime();
    const previous = this.candidates.get(key);
    this.candidates.set(key, {
      key, namespace: ref.namespace, ref, reason: request.reason, priority: request.priority, askedAtMs: nowMs,
      // Its first ask sets its turn; asking again every few seconds keeps it.
      since: previous?.since ?? this.now().toISOString(),
    });
    const allowed = this.decide().start.includes(key);
    if (allowed) {
      this.candidates.delete(key);
      this.starting.set(key, { namespace: ref.namespace, stamp: request.stamp });
    }
    this.markDirty(ref.namespace);
    return allowed;
  }

  /** The roll allowed by `request` was not written (the workload is gone, or the write failed). */
  abandon(ref: WorkloadRef): void {
    this.starting.delete(workloadKey(ref.kind, ref.namespace, ref.name));
    this.markDirty(ref.namespace);
  }

  /** The workload wants no roll (anymore). */
  withdraw(ref: WorkloadRef): void {
    this.candidates.delete(workloadKey(ref.kind, ref.namespace, ref.name));
    this.markDirty(ref.namespace);
  }

  status(namespace: string): RolloutsStatus {
    const decision = this.decide();
    const inProgress = decision.inProgress.filter((key) => key.split('/')[1] === namespace).length;
    const queued: QueuedRollout[] = [...decision.start, ...decision.queued.map((candidate) => candidate.key)]
      .flatMap((key) => {
        const candidate = this.candidates.get(key);
        return candidate && candidate.namespace === namespace ? [{ kind: candidate.ref.kind, name: candidate.ref.name, reason: candidate.reason }] : [];
      });
    return { inProgress, queued: queued.length, queuedList: queued.slice(0, QUEUED_LIST_LIMIT), moreQueued: Math.max(0, queued.length - QUEUED_LIST_LIMIT) };
  }

  /** Forgets the queue (leadership lost: the next leader rebuilds it from its own reconciles). */
  clear(): void {
    this.candidates.clear();
    this.starting.clear();
    this.view = undefined;
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.dirty.clear();
  }

  private decide(): PacingDecision {
    const now = this.now();
    for (const [key, candidate] of this.candidates) if (now.getTime() - candidate.askedAtMs > CANDIDATE_TTL_MS) this.candidates.delete(key);
    return decideRollouts({
      started: this.startedRollouts(now),
      candidates: [...this.candidates.values()],
      budget: { perNamespace: (namespace) => this.settings(namespace).maxConcurrent, perCluster: this.deps.perCluster },
      now,
    });
  }

  /** The namespace's settings: the strictest of its valid XRayTracings, the defaults without any. */
  private settings(namespace: string): { maxConcurrent: number; progressDeadlineSeconds: number } {
    let { maxConcurrent, progressDeadlineSeconds } = DEFAULTS.rollout;
    let found = false;
    for (const tracing of this.deps.caches.xrayTracings.list(namespace)) {
      const config = tracing.metadata.deletionTimestamp ? undefined : this.deps.configs.of(tracing);
      if (!config?.ok) continue;
      maxConcurrent = found ? Math.min(maxConcurrent, config.spec.rollout.maxConcurrent) : config.spec.rollout.maxConcurrent;
      progressDeadlineSeconds = found ? Math.min(progressDeadlineSeconds, config.spec.rollout.progressDeadlineSeconds) : config.spec.rollout.progressDeadlineSeconds;
      found = true;
    }
    return { maxConcurrent, progressDeadlineSeconds };
  }

  /** Rollouts carrying our stamp within their deadline, from the caches (reused briefly), plus rolls just written. */
  private startedRollouts(now: Date): StartedRollout[] {
    if (!this.view || now.getTime() - this.view.atMs > VIEW_MAX_AGE_MS) this.view = { atMs: now.getTime(), started: this.startedInCaches(now) };
    const seen = new Set(this.view.started.map((rollout) => `${rollout.key}@${rollout.startedAt}`));
    const pending: StartedRollout[] = [];
    for (const [key, { namespace, stamp }] of this.starting) {
      const deadlineSeconds = this.settings(namespace).progressDeadlineSeconds;
      if (seen.has(`${key}@${stamp}`) || now.getTime() - Date.parse(stamp) > deadlineSeconds * 1000) this.starting.delete(key);
      else pending.push({ key, namespace, startedAt: stamp, deadlineSeconds, progress: { done: false, failed: false, message: 'the roll is being written' } });
    }
    const pendingKeys = new Set(pending.map((rollout) => rollout.key));
    return [...this.view.started.filter((rollout) => !pendingKeys.has(rollout.key)), ...pending];
  }

  private startedInCaches(now: Date): StartedRollout[] {
    const started: StartedRollout[] = [];
    const deadlines = new Map<string, number>();
    for (const kind of WORKLOAD_KINDS) {
      for (const workload of this.deps.caches.workloads[kind].list()) {
        const stamp = workload.spec?.template.metadata?.annotations?.[Annotations.restartedAt];
        const { namespace = '', name = '' } = workload.metadata ?? {};
        if (!stamp) continue;
        const deadlineSeconds = deadlines.get(namespace) ?? this.settings(namespace).progressDeadlineSeconds;
        deadlines.set(namespace, deadlineSeconds);
        // Most stamps are old: skip them before reading the workload's status.
        if (now.getTime() - Date.parse(stamp) > deadlineSeconds * 1000) continue;
        if ((workload.spec as { paused?: boolean } | undefined)?.paused) continue;
        started.push({ key: workloadKey(kind, namespace, name), namespace, startedAt: stamp, deadlineSeconds, progress: rolloutProgress(observationOf(kind, workload)) });
      }
    }
    return started;
  }

  /** Status and metrics follow shortly, once per burst of changes, from a fresh view. */
  private markDirty(namespace: string): void {
    this.dirty.add(namespace);
    if (this.publishTimer) return;
    this.publishTimer = setTimeout(() => this.publish(), PUBLISH_DELAY_MS);
    this.publishTimer.unref();
  }

  private publish(): void {
    this.publishTimer = undefined;
    this.view = undefined;
    const namespaces = [...this.dirty];
    this.dirty.clear();
    for (const namespace of namespaces) {
      const status = this.status(namespace);
      this.deps.metrics?.rollouts.set({ namespace, state: 'in-progress' }, status.inProgress);
      this.deps.metrics?.rollouts.set({ namespace, state: 'queued' }, status.queued);
      const text = JSON.stringify(status);
      if (this.published.get(namespace) === text) continue;
      this.published.set(namespace, text);
      for (const listener of this.listeners) listener(namespace);
    }
  }
}
