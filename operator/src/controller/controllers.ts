// The two controllers (XRayTracing, workloads) with their queues, fed by the shared informers. They run only while
// this replica leads; events that arrive while it does not are dropped (the full enqueue on becoming leader and
// the periodic resync cover them).
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Annotations } from '../../../core/src/constants.js';
import { selectTracing } from '../../../core/src/injection/index.js';
import { podSubject } from '../../../core/src/selection/tracing-selection.js';
import type { XRayTracing } from '../../../core/src/api/types.js';
import type { ClusterCaches, Workload, WorkloadKind } from '../k8s/caches.js';
import { classifyApiError, retryAfterSeconds } from '../k8s/errors.js';
import type { ControllerMetrics } from '../metrics/controller-metrics.js';
import { objectKey } from './keys.js';
import type { TracingReconciler } from './tracing/reconciler.js';
import type { TracingConfigs } from './tracing/tracing-config.js';
import { WorkQueue, type ReconcileHandler, type WorkQueueOptions } from './work-queue.js';
import { podFingerprint, WORKLOAD_KINDS, workloadKey, workloadKeyOfPod } from './workload/keys.js';
import type { WorkloadReconciler } from './workload/reconciler.js';
import type { RolloutPacer } from './workload/rollout-pacer.js';

export interface ControllersDeps {
  caches: ClusterCaches;
  configs: TracingConfigs;
  tracingReconciler: TracingReconciler;
  workloadReconciler: WorkloadReconciler;
  metrics: ControllerMetrics;
  logger: Logger;
  resyncPeriodMs: number;
  /** The rollout budget: its queue shows in the status of the namespace's XRayTracings. */
  pacer?: RolloutPacer;
  queues?: { tracings?: WorkQueueOptions; workloads?: WorkQueueOptions };
}

type ControllerName = 'xraytracing' | 'workload';

export class Controllers {
  private tracingQueue: WorkQueue | undefined;
  private workloadQueue: WorkQueue | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly podFingerprints = new Map<string, string>();

  constructor(private readonly deps: ControllersDeps) {
    this.watchCaches();
    deps.pacer?.onChange((namespace) => {
      for (const tracing of deps.caches.xrayTracings.list(namespace)) this.enqueueTracing(tracing);
    });
  }

  get running(): boolean {
    return this.tracingQueue !== undefined;
  }

  start(): void {
    if (this.running) return;
    // A reconcile spends most of its time waiting on the API server and X-Ray, so several run at once; X-Ray reads are
    // bounded by the shared rule listing, not by this rate. At 10/s, 500 new XRayTracings took 46 s to be Ready.
    this.tracingQueue = this.makeQueue('xraytracing', (key) => this.deps.tracingReconciler.reconcile(key), { concurrency: 8, rateLimit: { perSecond: 50, burst: 200 }, ...this.deps.queues?.tracings });
    // Workload reconciles read caches and rarely write: a higher rate keeps a full resync of a big cluster short.
    this.workloadQueue = this.makeQueue('workload', (key) => this.deps.workloadReconciler.reconcile(key), { concurrency: 4, rateLimit: { perSecond: 100, burst: 500 }, ...this.deps.queues?.workloads });
    this.enqueueAll();
    this.resyncTimer = setInterval(() => this.enqueueAll(), this.deps.resyncPeriodMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    const queues = [this.tracingQueue, this.workloadQueue];
    this.tracingQueue = undefined;
    this.workloadQueue = undefined;
    await Promise.all(queues.map((queue) => queue?.shutdown() ?? Promise.resolve()));
    this.deps.pacer?.clear();
  }

  private makeQueue(controller: ControllerName, reconcile: ReconcileHandler, options: WorkQueueOptions): WorkQueue {
    const { metrics, logger } = this.deps;
    return new WorkQueue(reconcile, {
      ...options,
      retryAfterMs: (error) => {
        const seconds = retryAfterSeconds(error);
        return seconds === undefined ? undefined : seconds * 1000;
      },
      hooks: {
        onDepthChange: (depth) => metrics.queueDepth.set({ controller }, depth),
        onProcessed: (key, result, durationMs, error) => {
          metrics.reconciles.inc({ controller, result });
          metrics.reconcileDuration.observe({ controller }, durationMs / 1000);
          if (result === 'error') {
            const kind = (error as { kind?: unknown } | undefined)?.kind;
            metrics.reconcileErrors.inc({ controller, kind: typeof kind === 'string' ? kind : classifyApiError(error) });
            logger.warn({ operation: `reconcile-${controller}`, key, err: (error as Error | undefined)?.message }, 'Reconcile failed, retrying with backoff');
          }
        },
      },
    });
  }

  private enqueueAll(): void {
    for (const tracing of this.deps.caches.xrayTracings.list()) this.enqueueTracing(tracing);
    for (const kind of WORKLOAD_KINDS) {
      for (const workload of this.deps.caches.workloads[kind].list()) this.enqueueWorkload(kind, workload);
    }
  }

  private enqueueTracing(tracing: XRayTracing): void {
    this.tracingQueue?.add(objectKey(tracing.metadata.namespace ?? '', tracing.metadata.name ?? ''));
  }

  private enqueueWorkload(kind: WorkloadKind, workload: Workload): void {
    const { namespace, name } = workload.metadata ?? {};
    if (namespace && name) this.workloadQueue?.add(workloadKey(kind, namespace, name));
  }

  private enqueueWorkloadsOf(namespace: string): void {
    for (const kind of WORKLOAD_KINDS) {
      for (const workload of this.deps.caches.workloads[kind].list(namespace)) this.enqueueWorkload(kind, workload);
    }
  }

  private watchCaches(): void {
    const { caches } = this.deps;
    const onTracing = (tracing: XRayTracing): void => {
      this.enqueueTracing(tracing);
      this.enqueueWorkloadsOf(tracing.metadata.namespace ?? '');
    };
    caches.xrayTracings.on('add', onTracing);
    caches.xrayTracings.on('update', onTracing);
    caches.xrayTracings.on('delete', (tracing) => {
      this.deps.configs.forget(tracing.metadata.uid);
      this.enqueueWorkloadsOf(tracing.metadata.namespace ?? '');
    });
    const onNamespace = (namespace: { metadata?: { name?: string } }): void => this.enqueueWorkloadsOf(namespace.metadata?.name ?? '');
    caches.namespaces.on('add', onNamespace);
    caches.namespaces.on('update', onNamespace);
    for (const kind of WORKLOAD_KINDS) {
      const onWorkload = (workload: Workload): void => this.enqueueWorkload(kind, workload);
      caches.workloads[kind].on('add', onWorkload);
      caches.workloads[kind].on('update', onWorkload);
    }
    caches.pods.on('add', (pod) => this.onPod(pod, false));
    caches.pods.on('update', (pod) => this.onPod(pod, false));
    caches.pods.on('delete', (pod) => this.onPod(pod, true));
  }

  /** A pod change reaches its workload (and the XRayTracing that counts it) only when something we read changed. */
  private onPod(pod: V1Pod, deleted: boolean): void {
    const uid = pod.metadata?.uid ?? '';
    const fingerprint = podFingerprint(pod);
    if (deleted) this.podFingerprints.delete(uid);
    else if (this.podFingerprints.get(uid) === fingerprint) return;
    else this.podFingerprints.set(uid, fingerprint);
    const key = workloadKeyOfPod(pod);
    if (key) this.workloadQueue?.add(key);
    const namespace = pod.metadata?.namespace;
    const tracing = namespace && this.fleetTracingOf(pod, namespace);
    if (namespace && tracing) this.tracingQueue?.add(objectKey(namespace, tracing));
  }

  /**
   * The XRayTracing whose fleet status counts the pod: the one that injected it or, for a pod admitted uninjected or
   * skipped (a rollback's pods among them), the one that selects it.
   */
  private fleetTracingOf(pod: V1Pod, namespace: string): string | undefined {
    const injected = pod.metadata?.annotations?.[Annotations.injected];
    if (injected) return injected.split('/')[0];
    const { caches } = this.deps;
    const tracings = caches.xrayTracings.list(namespace);
    if (tracings.length === 0) return undefined;
    const selection = selectTracing(podSubject(pod.metadata, namespace, caches.namespaces.get(namespace)?.metadata?.annotations), tracings);
    return selection.kind === 'selected' ? selection.tracing.metadata.name : undefined;
  }
}
