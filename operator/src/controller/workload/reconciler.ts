// The workload reconciler (Deployments, StatefulSets, DaemonSets): propagates the opt-in from the workload to its
// pod template and rolls workloads whose pods run an outdated injection or missed it. Decisions are planWorkload's;
// this file gathers facts from the caches and writes one merge patch guarded by resourceVersion (a stale cache
// gets a 409 and a retry, never a second roll).
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Annotations, OWNER_API_VERSIONS } from '../../../../core/src/constants.js';
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
}

/** How soon a roll held back for an unreachable webhook is tried again. */
const WEBHOOK_WAIT_MS = 5_000;

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
    if (!workload) return {};
    if (this.deps.serves && !this.deps.serves(ref.namespace, workload.spec?.template.metadata?.labels)) return {};
    const plan = planWorkload({
      annotations: workload.metadata?.annotations ?? {},
      templateAnnotations: workload.spec?.template.metadata?.annotations ?? {},
      paused: (workload.spec as { paused?: boolean } | undefined)?.paused === true,
      pods: this.podFacts(key, ref.namespace),
      currentConfig: this.currentConfig(ref.namespace),
      now: this.now(),
    });
    if (isEmptyPlan(plan)) return {};
    // Any pod template change rolls the workload (a roll for a reason, or the opt-in copied onto the template).
    const rolls = Object.keys(plan.templateAnnotations).length > 0;
    if (rolls && this.deps.webhook && !(await this.deps.webhook.ready())) {
      this.deps.logger.info({ namespace: ref.namespace, name: ref.name, operation: 'workload', rolls: plan.rolls }, 'Held back a roll: the webhook has no ready endpoint yet');
      return { requeueAfterMs: WEBHOOK_WAIT_MS };
    }
    if (!(await this.apply(ref.kind, workload, plan))) return {};
    const involved = { apiVersion: OWNER_API_VERSIONS[ref.kind], kind: ref.kind, namespace: ref.namespace, name: ref.name, uid: workload.metadata?.uid };
    for (const event of plan.events) await this.deps.events.record(involved, event.type, event.reason, event.message);
    return {};
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
        };
      });
  }

  private currentConfig(namespace: string): CurrentConfig {
    return (tracingName) => {
      const tracing = this.deps.caches.xrayTracings.get(tracingName, namespace);
      if (!tracing || tracing.metadata.deletionTimestamp) return undefined;
      const config = this.deps.configs.of(tracing);
      return config.ok ? { hash: config.configHash, restartOnChange: config.spec.rollout.restartOnChange } : undefined;
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
    if (plan.templateAnnotations[Annotations.injectNodejs] !== undefined) this.deps.metrics?.workloadRollouts.inc({ reason: 'opt-in-propagated' });
    return true;
  }
}
