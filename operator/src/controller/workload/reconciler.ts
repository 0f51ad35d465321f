// The workload reconciler (Deployments, StatefulSets, DaemonSets): propagates the opt-in from the workload to its
// pod template, rolls workloads whose pods run an outdated injection or missed it, and rolls back workloads whose
// injected pods crash. Decisions are planWorkload's; every roll waits for a place in the rollout budget (RolloutPacer).
// This file gathers facts from the caches and writes one merge patch guarded by resourceVersion (a stale cache gets a
// 409 and a retry, never a second roll).
import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerHealth } from '../../../../core/src/rollout/rollback.js';
import type { Logger } from 'pino';
import { API_GROUP_VERSION, Annotations, InjectedNames, OWNER_API_VERSIONS, XRAY_TRACING_KIND } from '../../../../core/src/constants.js';
import { isInjected, selectTracing, type SkipReason } from '../../../../core/src/injection/index.js';
import type { KubeClients } from '../../k8s/clients.js';
import type { ClusterCaches, Workload, WorkloadKind } from '../../k8s/caches.js';
import type { EventRecorder } from '../../k8s/events.js';
import type { WebhookReachability } from '../../k8s/webhook-reachability.js';
import { isNotFound } from '../../k8s/errors.js';
import { mergePatch } from '../../k8s/patch.js';
import { podHasFinished } from '../../k8s/pod-phase.js';
import type { ControllerMetrics } from '../../metrics/controller-metrics.js';
import { podSubject } from '../../../../core/src/selection/tracing-selection.js';
import type { TracingStateRecords } from './tracing-state.js';
import type { TracingConfigs } from '../tracing/tracing-config.js';
import type { ReconcileOutcome } from '../work-queue.js';
import { parseWorkloadKey, workloadKeyOfPod } from './keys.js';
import { isEmptyPlan, planWorkload, type CurrentConfig, type PodFacts, type WorkloadPlan } from './plan.js';
import type { RolloutPacer, WorkloadRef } from './rollout-pacer.js';


/** Skip reasons about the XRayTracing, not the pod: the next pod may be injected. */
const TRACING_SKIP_REASONS: ReadonlySet<string> = new Set<SkipReason>(['NoXRayTracing', 'AmbiguousXRayTracing']);
export interface WorkloadReconcilerDeps {
  clients: KubeClients;
  caches: ClusterCaches;
  configs: TracingConfigs;
  events: EventRecorder;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Keeps each workload's tracing-state record after its rolls; absent: no record. */
  tracingStates?: TracingStateRecords;
  now?: () => Date;
  /**
   * Whether the webhook sees pods of this template in this namespace (its namespaceSelector, excluded namespaces and
   * objectSelector). A workload it cannot see is never rolled: its new pods would come up uninjected all the same.
   */
  serves?: (namespace: string, templateLabels: Readonly<Record<string, string>> | undefined) => boolean;
  /** Whether new pods would reach the webhook now; rolls wait until they would. Absent: always. */
  webhook?: WebhookReachability;
  /** The rollout budget; absent: every roll starts at once. */
  pacer?: RolloutPacer;
}

/** How soon a roll held back for an unreachable webhook is tried again. */
const WEBHOOK_WAIT_MS = 5_000;
/** How soon a workload waiting for a place in the rollout budget asks again. */
const BUDGET_WAIT_MS = 2_000;
/** Margin after an injected pod's readiness timeout before it is judged. */
const RECHECK_MARGIN_MS = 1_000;

/** Containers the injection adds are not the app's: their restarts are the collector's, not a crash of the app. */
const INJECTED_CONTAINERS: ReadonlySet<string> = new Set([InjectedNames.sidecarContainer, InjectedNames.initContainer]);

function appContainerHealth(pod: V1Pod): ContainerHealth[] {
  return (pod.status?.containerStatuses ?? [])
    .filter((container) => !INJECTED_CONTAINERS.has(container.name))
    .map((container) => ({ name: container.name, restartCount: container.restartCount, ...(container.state?.waiting?.reason ? { waitingReason: container.state.waiting.reason } : {}) }));
}

const isoTime = (time: Date | string | undefined): string | undefined => (time === undefined ? undefined : new Date(time).toISOString());

function isLive(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && !podHasFinished(pod);
}

export class WorkloadReconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: WorkloadReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const outcome = await this.reconcileRolls(key);
    // After the rolls: their patch is guarded by the cached resourceVersion, which the record's patch would change.
    const ref = parseWorkloadKey(key);
    if (ref) await this.deps.tracingStates?.record(ref.kind, ref.namespace, ref.name);
    return outcome;
  }

  private async reconcileRolls(key: string): Promise<ReconcileOutcome> {
    const ref = parseWorkloadKey(key);
    if (!ref) return {};
    const workload = this.deps.caches.workloads[ref.kind].get(ref.name, ref.namespace);
    if (!workload || (this.deps.serves && !this.deps.serves(ref.namespace, workload.spec?.template.metadata?.labels))) {
      this.deps.pacer?.withdraw(ref);
      return {};
    }
    const plan = planWorkload({
      annotations: workload.metadata?.annotations ?? {},
      templateAnnotations: workload.spec?.template.metadata?.annotations ?? {},
      paused: (workload.spec as { paused?: boolean } | undefined)?.paused === true,
      pods: this.podFacts(key, ref.namespace),
      currentConfig: this.currentConfig(ref.namespace),
      now: this.now(),
    });
    const recheck: ReconcileOutcome = plan.recheckAfterMs === undefined ? {} : { requeueAfterMs: plan.recheckAfterMs + RECHECK_MARGIN_MS };
    if (plan.rolls.length === 0) this.deps.pacer?.withdraw(ref);
    if (isEmptyPlan(plan)) return recheck;
    const rolls = plan.rolls.length > 0;
    if (rolls && this.deps.webhook && !(await this.deps.webhook.ready())) {
      this.deps.logger.info({ namespace: ref.namespace, name: ref.name, operation: 'workload', rolls: plan.rolls }, 'Held back a roll: the webhook has no ready endpoint yet');
      return { requeueAfterMs: WEBHOOK_WAIT_MS };
    }
    const stamp = plan.templateAnnotations[Annotations.restartedAt] ?? '';
    if (rolls && this.deps.pacer && !this.deps.pacer.request(ref, { reason: plan.rolls.join(','), priority: plan.priority, stamp })) {
      this.deps.logger.debug({ namespace: ref.namespace, name: ref.name, operation: 'workload', rolls: plan.rolls }, 'Queued a roll: the rollout budget is used up');
      return { requeueAfterMs: BUDGET_WAIT_MS };
    }
    let applied = false;
    try {
      applied = await this.apply(ref.kind, workload, plan);
    } finally {
      if (rolls && !applied) this.deps.pacer?.abandon(ref);
    }
    if (!applied) return {};
    await this.recordEvents(ref, workload.metadata?.uid, plan);
    return recheck;
  }

  private async recordEvents(ref: WorkloadRef, uid: string | undefined, plan: WorkloadPlan): Promise<void> {
    const involved = { apiVersion: OWNER_API_VERSIONS[ref.kind], kind: ref.kind, namespace: ref.namespace, name: ref.name, uid };
    for (const event of plan.events) await this.deps.events.record(involved, event.type, event.reason, event.message);
    // A rollback is also told on the XRayTracing whose injection it undoes.
    const rolledBack = plan.rolls.includes('rollback') ? plan.metadataAnnotations[Annotations.rolledBack] : undefined;
    const tracing = rolledBack ? this.deps.caches.xrayTracings.get(rolledBack.split('/')[0] ?? '', ref.namespace) : undefined;
    const event = plan.events.find((candidate) => candidate.reason === 'RolledBack');
    if (!tracing || !event) return;
    const { name = '', uid: tracingUid } = tracing.metadata;
    await this.deps.events.record({ apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, namespace: ref.namespace, name, uid: tracingUid }, 'Warning', 'RolledBack', `${ref.kind} ${ref.name}: ${event.message}`);
  }

  private podFacts(key: string, namespace: string): PodFacts[] {
    const namespaceAnnotations = this.deps.caches.namespaces.get(namespace)?.metadata?.annotations;
    const tracings = this.deps.caches.xrayTracings.list(namespace);
    return this.deps.caches.pods
      .list(namespace)
      .filter((pod) => isLive(pod) && workloadKeyOfPod(pod) === key)
      .map((pod) => {
        const selection = selectTracing(podSubject(pod.metadata, namespace, namespaceAnnotations), tracings);
        // A pod the webhook saw and skipped for a reason of its own (Windows, a name conflict…) would be skipped again by
        // a roll; one skipped for want of an XRayTracing that exists now is worth rolling.
        const skipped = pod.metadata?.annotations?.[Annotations.injectionSkipped];
        const skippedForGood = skipped !== undefined && !TRACING_SKIP_REASONS.has(skipped);
        const shouldBeInjected =
          !skippedForGood && selection.kind === 'selected' && !selection.tracing.metadata.deletionTimestamp && this.deps.configs.of(selection.tracing).ok;
        return {
          name: pod.metadata?.name ?? '',
          restartedAt: pod.metadata?.annotations?.[Annotations.restartedAt],
          injected: pod.metadata?.annotations?.[Annotations.injected],
          isInjected: isInjected(pod),
          shouldBeInjected,
          createdAt: isoTime(pod.metadata?.creationTimestamp),
          ready: pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
          containers: appContainerHealth(pod),
        };
      });
  }

  private currentConfig(namespace: string): CurrentConfig {
    return (tracingName) => {
      const tracing = this.deps.caches.xrayTracings.get(tracingName, namespace);
      if (!tracing || tracing.metadata.deletionTimestamp) return undefined;
      const config = this.deps.configs.of(tracing);
      if (!config.ok) return undefined;
      const { restartOnChange, rollback } = config.spec.rollout;
      return { hash: config.configHash, restartOnChange, rollback };
    };
  }

  /** Writes the plan's annotation changes; false when the workload is gone. */
  private async apply(kind: WorkloadKind, workload: Workload, plan: WorkloadPlan): Promise<boolean> {
    const hasMetadata = Object.keys(plan.metadataAnnotations).length > 0;
    const hasTemplate = Object.keys(plan.templateAnnotations).length > 0;
    if (hasMetadata || hasTemplate) {
      const { name = '', namespace = '', resourceVersion } = workload.metadata ?? {};
      const body = {
        metadata: { resourceVersion, ...(hasMetadata ? { annotations: plan.metadataAnnotations } : {}) },
        ...(hasTemplate ? { spec: { template: { metadata: { annotations: plan.templateAnnotations } } } } : {}),
      };
      try {
        const params = { name, namespace, body };
        if (kind === 'Deployment') await this.deps.clients.apps.patchNamespacedDeployment(params, mergePatch);
        else if (kind === 'StatefulSet') await this.deps.clients.apps.patchNamespacedStatefulSet(params, mergePatch);
        else await this.deps.clients.apps.patchNamespacedDaemonSet(params, mergePatch);
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
      this.deps.logger.info({ namespace, name, uid: workload.metadata?.uid, operation: 'workload', kind, rolls: plan.rolls, annotations: plan.templateAnnotations }, plan.rolls.length > 0 ? 'Rolled the workload' : 'Updated the pod template opt-in');
    }
    for (const reason of plan.rolls) this.deps.metrics?.workloadRollouts.inc({ reason });
    return true;
  }
}
