// The XRayTracing reconciler: level-triggered and idempotent. Each pass re-reads the object from the cache, makes
// the collector ConfigMap and the X-Ray sampling rules match the spec, then writes status (only when it changed).
import type { Logger } from 'pino';
import { Annotations, API_GROUP, API_GROUP_VERSION, API_VERSION, FINALIZER, XRAY_TRACING_KIND, XRAY_TRACING_PLURAL } from '../../../../core/src/constants.js';
import type { FleetStatus, ResolvedSpec, RolloutsStatus, XRayTracing, XRayTracingStatus } from '../../../../core/src/api/types.js';
import { renderCollectorConfigYaml } from '../../../../core/src/collector/render.js';
import { workloadOf } from '../../../../core/src/injection/index.js';
import { allocateRuleBudget, type Demand, type RuleBudget } from '../../../../core/src/sampling/budget.js';
import { allocateGroupBudget, groupCount } from '../../../../core/src/monitoring/budget.js';
import { decideAccountExport, type AccountExportState } from '../../../../core/src/collector/export-decision.js';
import { fleetStatus } from '../../../../core/src/fleet/fleet-status.js';
import type { KubeClients } from '../../k8s/clients.js';
import type { ControllerMetrics } from '../../metrics/controller-metrics.js';
import type { ClusterCaches } from '../../k8s/caches.js';
import { describeApiError, isNotFound } from '../../k8s/errors.js';
import type { EventRecorder, InvolvedObject } from '../../k8s/events.js';
import { APPLY_PARAMS, mergePatch, serverSideApply } from '../../k8s/patch.js';
import { podHasFinished } from '../../k8s/pod-phase.js';
import { backoffDelayMs, type BackoffPolicy } from '../../runtime/backoff.js';
import { splitObjectKey } from '../keys.js';
import type { ReconcileOutcome } from '../work-queue.js';
import { collectorConfigMapName, collectorConfigMapUpToDate, desiredCollectorConfigMap } from './collector-configmap.js';
import { ConditionTypes, conditionTransitions } from './conditions.js';
import type { MonitoringPort } from './monitoring-port.js';
import { MonitoringStep, type ClusterRename } from './monitoring-step.js';
import { classifySamplingError, type SamplingRulesPort } from './sampling-port.js';
import { computeStatus, statusMergePatch, type RolledBackWorkload, type SamplingObservation, type TracingObservation } from './status.js';
import { WORKLOAD_KINDS } from '../workload/keys.js';
import type { TracingConfigs } from './tracing-config.js';

export interface TracingReconcilerDeps {
  clients: KubeClients;
  caches: ClusterCaches;
  configs: TracingConfigs;
  sampling: SamplingRulesPort;
  events: EventRecorder;
  logger: Logger;
  /** How often X-Ray is re-checked for drift when nothing changed. */
  resyncPeriodMs: number;
  /** How many sampling rules XRayTracings may own, per namespace and per cluster. */
  ruleBudget: RuleBudget;
  /** X-Ray groups and their CloudWatch alarms (docs/monitoring.md). */
  monitoring: MonitoringPort;
  /** How many X-Ray groups XRayTracings may own, per namespace and per cluster. */
  groupBudget: RuleBudget;
  /** The fleet gauge; absent in tests that do not look at metrics. */
  metrics?: Pick<ControllerMetrics, 'fleetPods'>;
  /** The account's trace segment destination (whether Transaction Search is on), cached across XRayTracings. */
  traceDestination: { get(): Promise<AccountExportState> };
  /** The rollout budget's view of a namespace (queued and running operator-caused rollouts); absent: not shown. */
  rollouts?: { status(namespace: string): RolloutsStatus };
  now?: () => Date;
}

/** Rules an XRayTracing wants in X-Ray: its own and the namespace's catch-all, in centralized mode. */
const ruleCount = (spec: ResolvedSpec): number => (spec.sampling.mode === 'centralized' ? spec.sampling.rules.length + 1 : 0);

const allocateRules = (demands: Demand[], budget: RuleBudget) => allocateRuleBudget(demands.map(({ count, ...rest }) => ({ ...rest, rules: count })), budget);

const crd = { group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL } as const;
const FLEET_STATES = ['current', 'outdated', 'skipped', 'uninjected'] as const;

/** How soon X-Ray is asked again after a transient failure; pod events in between reuse the failure. */
const SAMPLING_RETRY: BackoffPolicy = Object.freeze({ baseMs: 1_000, maxMs: 5 * 60_000, jitter: 0.2 });

interface SamplingAttempt {
  generation: number | undefined;
  atMs: number;
  /** Set when the attempt failed: what to report, and when X-Ray may be asked again. */
  failure?: { observation: SamplingObservation; retry?: { reason: string; message: string }; retryAtMs: number; failures: number };
}

/** A failure the queue should retry with backoff, after status already says what went wrong. */
export class RetryableReconcileError extends Error {
  constructor(message: string, readonly kind: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableReconcileError';
  }
}

function involved(tracing: XRayTracing): InvolvedObject {
  const { name = '', namespace, uid } = tracing.metadata;
  return { apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, name, namespace, uid };
}

export class TracingReconciler {
  private readonly now: () => Date;
  /** uid → the last X-Ray sync attempt: when, for which generation, and how it failed if it did. */
  private readonly lastSync = new Map<string, SamplingAttempt>();

  private readonly monitoring: MonitoringStep;

  constructor(private readonly deps: TracingReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.monitoring = new MonitoringStep({
      port: deps.monitoring,
      logger: deps.logger,
      resyncPeriodMs: deps.resyncPeriodMs,
      budgetRefusal: (tracing) => this.budgetRefusal(tracing, allocateGroupBudget, this.deps.groupBudget, (spec) => groupCount(spec)),
      now: () => this.now().getTime(),
    });
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const { namespace, name } = splitObjectKey(key);
    const tracing = this.deps.caches.xrayTracings.get(name, namespace);
    if (!tracing) return {};
    if (tracing.metadata.deletionTimestamp) {
      await this.finalize(tracing);
      return {};
    }
    const current = await this.ensureFinalizer(tracing);
    const config = this.deps.configs.of(current);
    if (!config.ok) {
      await this.writeStatus(current, { valid: false, errors: config.errors });
      return {};
    }
    const collectorConfigMap = config.spec.collector.mode === 'none'
      ? { ok: true as const, notNeeded: true as const }
      : await this.applyCollectorConfigMap(current, config.spec, config.configHash);
    const sampling = await this.syncSampling(current, config.spec);
    const monitoring = await this.monitoring.run(current, config.spec, this.monitoringRename(current));
    const choice = config.spec.collector.exporter;
    const account = choice === 'xray' ? undefined : await this.deps.traceDestination.get();
    await this.writeStatus(current, {
      export: decideAccountExport(choice, account, current.status?.exportMode, config.spec.collector.mode),
      valid: true,
      spec: config.spec,
      configHash: config.configHash,
      collectorConfigMap,
      sampling: sampling.observation,
      injectedWorkloads: this.countInjectedWorkloads(namespace, name),
      fleet: this.fleetOf(current, config.configHash),
      rolledBack: this.rolledBackWorkloads(namespace, name),
      ...(this.deps.rollouts ? { rollouts: this.deps.rollouts.status(namespace) } : {}),
      ...(monitoring.observation ? { monitoring: monitoring.observation } : {}),
    });
    if (!collectorConfigMap.ok) throw new RetryableReconcileError(collectorConfigMap.message, 'ConfigMapApply');
    if (sampling.retry) throw new RetryableReconcileError(sampling.retry.message, sampling.retry.reason);
    if (monitoring.retry) throw new RetryableReconcileError(monitoring.retry.message, monitoring.retry.reason);
    return { requeueAfterMs: this.deps.resyncPeriodMs };
  }

  private log(tracing: XRayTracing, operation: string): Logger {
    const { name, namespace, uid } = tracing.metadata;
    return this.deps.logger.child({ namespace, name, uid, operation });
  }

  private async ensureFinalizer(tracing: XRayTracing): Promise<XRayTracing> {
    const finalizers = tracing.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return tracing;
    const updated = (await this.deps.clients.custom.patchNamespacedCustomObject(
      {
        ...crd,
        namespace: tracing.metadata.namespace ?? '',
        name: tracing.metadata.name ?? '',
        body: { metadata: { finalizers: [...finalizers, FINALIZER], resourceVersion: tracing.metadata.resourceVersion } },
      },
      mergePatch,
    )) as XRayTracing;
    this.log(tracing, 'finalizer').info('Added the finalizer');
    return { ...tracing, metadata: { ...tracing.metadata, finalizers: updated.metadata.finalizers, resourceVersion: updated.metadata.resourceVersion } };
  }

  /** The cluster names whose rules this XRayTracing may own: this operator's, and the one status recorded. */
  private ownerClusters(tracing: XRayTracing): string[] {
    const recorded = tracing.status?.clusterName;
    const current = this.deps.sampling.clusterName;
    return recorded && recorded !== current ? [recorded, current] : [current];
  }

  private async finalize(tracing: XRayTracing): Promise<void> {
    const finalizers = tracing.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return;
    if (tracing.metadata.annotations?.[Annotations.skipCleanup] === 'true') {
      const left = [
        ...(tracing.status?.samplingRules ?? []).map((rule) => rule.ruleARN ?? rule.ruleName),
        ...(tracing.status?.monitoring?.groups ?? []).flatMap((group) => [group.groupARN ?? group.groupName, ...(group.alarm ? [group.alarm.alarmARN ?? group.alarm.alarmName] : [])]),
      ];
      const message = `Removed the finalizer without deleting the owned X-Ray sampling rules, groups and alarms (${Annotations.skipCleanup}); left in the account: ${left.length > 0 ? left.join(', ') : 'none recorded'}`;
      await this.deps.events.record(involved(tracing), 'Warning', 'SamplingRuleCleanupSkipped', message);
      this.log(tracing, 'finalize').warn({ left }, 'Skipped deleting the owned X-Ray sampling rules');
    } else {
      try {
        for (const clusterName of this.ownerClusters(tracing)) await this.deps.sampling.deleteAllOwned(tracing, clusterName);
        if (MonitoringStep.involved(tracing, undefined)) {
          for (const clusterName of this.ownerClusters(tracing)) await this.deps.monitoring.deleteAllOwned(tracing, clusterName);
        }
      } catch (error) {
        const failure = classifySamplingError(error);
        const message =
          `Could not delete the owned X-Ray sampling rules; the XRayTracing stays until they are gone (or annotate it ` +
          `${Annotations.skipCleanup}=true to leave them): ${failure.message}`;
        await this.deps.events.record(involved(tracing), 'Warning', 'SamplingRuleCleanupFailed', message);
        await this.patchStatus(tracing, { ...tracing.status, lastError: message });
        throw new RetryableReconcileError(message, failure.reason, { cause: error });
      }
    }
    try {
      await this.deps.clients.custom.patchNamespacedCustomObject(
        {
          ...crd,
          namespace: tracing.metadata.namespace ?? '',
          name: tracing.metadata.name ?? '',
          body: { metadata: { finalizers: finalizers.filter((f) => f !== FINALIZER), resourceVersion: tracing.metadata.resourceVersion } },
        },
        mergePatch,
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    this.lastSync.delete(tracing.metadata.uid ?? '');
    this.monitoring.forget(tracing.metadata.uid);
    this.deps.configs.forget(tracing.metadata.uid);
    this.forgetFleet(tracing);
    this.log(tracing, 'finalize').info('Deleted the owned X-Ray sampling rules and removed the finalizer');
  }

  private async applyCollectorConfigMap(tracing: XRayTracing, spec: ResolvedSpec, configHash: string): Promise<{ ok: true; name: string } | { ok: false; message: string }> {
    const body = desiredCollectorConfigMap(tracing, renderCollectorConfigYaml(spec), configHash);
    const name = collectorConfigMapName(tracing.metadata.name ?? '');
    if (collectorConfigMapUpToDate(this.deps.caches.configMaps.get(name, tracing.metadata.namespace), body)) return { ok: true, name };
    try {
      await this.deps.clients.core.patchNamespacedConfigMap({ name, namespace: tracing.metadata.namespace ?? '', body, ...APPLY_PARAMS }, serverSideApply);
      return { ok: true, name };
    } catch (error) {
      return { ok: false, message: `Could not apply ConfigMap ${name}: ${describeApiError(error)}` };
    }
  }

  /**
   * A clusterName that changed under existing rules would orphan them (they stay tagged with the old name). Refused
   * until a person confirms with the migrate-from-cluster annotation; then the old rules go first.
   */
  private clusterRename(tracing: XRayTracing): { refused: SamplingObservation } | { migrateFrom?: string } {
    const recorded = tracing.status?.clusterName;
    const current = this.deps.sampling.clusterName;
    if (!recorded || recorded === current) return {};
    if (tracing.metadata.annotations?.[Annotations.migrateFromCluster] === recorded) return { migrateFrom: recorded };
    const message =
      `The X-Ray sampling rules of this XRayTracing are tagged for cluster "${recorded}", but the operator now runs as "${current}"; ` +
      `nothing was changed. Set clusterName back to "${recorded}", or annotate this XRayTracing ${Annotations.migrateFromCluster}=${recorded} ` +
      `to delete those rules and recreate them for "${current}"`;
    return { refused: { ok: false, reason: 'ClusterNameChanged', message } };
  }

  private async syncSampling(tracing: XRayTracing, spec: ResolvedSpec): Promise<{ observation: SamplingObservation; retry?: { reason: string; message: string } }> {
    const rename = this.clusterRename(tracing);
    if ('refused' in rename) return { observation: rename.refused };
    const uid = tracing.metadata.uid ?? '';
    const last = this.lastSync.get(uid);
    const nowMs = this.now().getTime();
    // A failed or refused sync is not retried for every pod event: only on its backoff, a spec change or a resync.
    if (last?.failure && last.generation === tracing.metadata.generation && nowMs < last.failure.retryAtMs && !rename.migrateFrom) {
      return { observation: last.failure.observation, retry: last.failure.retry };
    }
    const refusal = spec.sampling.mode === 'centralized' ? this.budgetRefusal(tracing, allocateRules, this.deps.ruleBudget, ruleCount) : undefined;
    if (refusal) return this.failed(tracing, last, { ok: false, reason: 'RuleBudgetExceeded', message: refusal }, false);
    const previous = tracing.status;
    const syncedBefore = previous?.conditions?.some((c) => c.type === 'SamplingRulesSynced' && c.status === 'True');
    const fresh = last && !last.failure && last.generation === tracing.metadata.generation && nowMs - last.atMs < this.deps.resyncPeriodMs;
    // Status writes and workload events re-run this reconcile; X-Ray is only asked again on a change or a resync.
    const clusterName = this.deps.sampling.clusterName;
    if (fresh && syncedBefore && !rename.migrateFrom) return { observation: { ok: true, rules: previous?.samplingRules ?? [], clusterName } };
    try {
      if (rename.migrateFrom) {
        await this.deps.sampling.deleteAllOwned(tracing, rename.migrateFrom);
        this.log(tracing, 'migrate-cluster-name').info({ from: rename.migrateFrom, to: clusterName }, 'Deleted the X-Ray sampling rules of the previous cluster name');
      }
      const rules = spec.sampling.mode === 'centralized' ? await this.deps.sampling.sync(tracing, spec) : await this.deps.sampling.deleteAllOwned(tracing).then(() => []);
      this.lastSync.set(uid, { generation: tracing.metadata.generation, atMs: this.now().getTime() });
      return { observation: { ok: true, rules, clusterName } };
    } catch (error) {
      const failure = classifySamplingError(error);
      this.log(tracing, 'sync-sampling-rules').warn({ reason: failure.reason, err: error }, 'Failed to sync X-Ray sampling rules');
      return this.failed(tracing, last, { ok: false, reason: failure.reason, message: failure.message }, failure.transient);
    }
  }

  /** Remembers a failed attempt: transient ones are retried on a growing backoff, the others at the next resync. */
  private failed(
    tracing: XRayTracing,
    last: SamplingAttempt | undefined,
    observation: Extract<SamplingObservation, { ok: false }>,
    transient: boolean,
  ): { observation: SamplingObservation; retry?: { reason: string; message: string } } {
    const atMs = this.now().getTime();
    const failures = (last?.failure?.failures ?? 0) + 1;
    const retryAtMs = atMs + (transient ? backoffDelayMs(failures, SAMPLING_RETRY) : this.deps.resyncPeriodMs);
    const retry = transient ? { reason: observation.reason, message: observation.message } : undefined;
    this.lastSync.set(tracing.metadata.uid ?? '', { generation: tracing.metadata.generation, atMs, failure: { observation, retry, retryAtMs, failures } });
    return { observation, retry };
  }

  /** Why this XRayTracing may not own what it wants (rules or groups, as `count` says), if the budget says so. */
  private budgetRefusal(
    tracing: XRayTracing,
    allocate: (demands: Demand[], budget: RuleBudget) => Map<string, { allowed: boolean; message?: string }>,
    budget: RuleBudget,
    count: (spec: ResolvedSpec) => number,
  ): string | undefined {
    const demands: Demand[] = [];
    for (const other of this.deps.caches.xrayTracings.list()) {
      if (other.metadata.deletionTimestamp) continue;
      const config = this.deps.configs.of(other);
      const { uid = '', namespace = '', name = '', creationTimestamp } = other.metadata;
      demands.push({ uid, namespace, name, createdAt: creationTimestamp ? new Date(creationTimestamp).toISOString() : '', count: config.ok ? count(config.spec) : 0 });
    }
    const decision = allocate(demands, budget).get(tracing.metadata.uid ?? '');
    return decision && !decision.allowed ? decision.message : undefined;
  }

  /** The cluster rename as the monitoring step sees it (the same decision as for sampling rules). */
  private monitoringRename(tracing: XRayTracing): ClusterRename {
    const rename = this.clusterRename(tracing);
    if ('refused' in rename) return { refusedMessage: rename.refused.ok ? '' : rename.refused.message.replace('X-Ray sampling rules', 'X-Ray groups and alarms') };
    return rename;
  }

  /** Workloads in the namespace with at least one running pod injected by this XRayTracing. */
  /** The namespace's live pods as this XRayTracing covers them; also exported as the xray_operator_pods gauge. */
  private fleetOf(tracing: XRayTracing, configHash: string): FleetStatus {
    const namespace = tracing.metadata.namespace ?? '';
    const pods = this.deps.caches.pods.list(namespace).filter((pod) => !pod.metadata?.deletionTimestamp && !podHasFinished(pod));
    const fleet = fleetStatus({
      namespace,
      tracing,
      configHash,
      namespaceAnnotations: this.deps.caches.namespaces.get(namespace)?.metadata?.annotations,
      tracings: this.deps.caches.xrayTracings.list(namespace),
      pods: pods.map((pod) => ({ metadata: pod.metadata ?? {} })),
    });
    const labels = { namespace, xraytracing: tracing.metadata.name ?? '' };
    for (const state of FLEET_STATES) this.deps.metrics?.fleetPods.set({ ...labels, state }, fleet.pods[state]);
    return fleet;
  }

  /** Drops the gauge series of an XRayTracing that is gone. */
  private forgetFleet(tracing: XRayTracing): void {
    for (const state of FLEET_STATES) this.deps.metrics?.fleetPods.remove({ namespace: tracing.metadata.namespace ?? '', xraytracing: tracing.metadata.name ?? '', state });
  }

  /** Workloads of the namespace the workload controller rolled back from this XRayTracing's injection. */
  private rolledBackWorkloads(namespace: string, tracingName: string): RolledBackWorkload[] {
    return WORKLOAD_KINDS.flatMap((kind) =>
      this.deps.caches.workloads[kind].list(namespace).flatMap((workload) => {
        const annotations = workload.metadata?.annotations ?? {};
        if (!annotations[Annotations.rolledBack]?.startsWith(`${tracingName}/`)) return [];
        return [{ kind, name: workload.metadata?.name ?? '', reason: annotations[Annotations.rolledBackReason] ?? 'unknown' }];
      }),
    );
  }

  private countInjectedWorkloads(namespace: string, tracingName: string): number {
    const workloads = new Set<string>();
    for (const pod of this.deps.caches.pods.list(namespace)) {
      const injected = pod.metadata?.annotations?.[Annotations.injected];
      if (!injected?.startsWith(`${tracingName}/`) || pod.metadata?.deletionTimestamp) continue;
      if (podHasFinished(pod)) continue;
      const workload = workloadOf(pod.metadata ?? {});
      workloads.add(workload ? `${workload.kind}/${workload.name}` : `Pod/${pod.metadata?.name}`);
    }
    return workloads.size;
  }

  private async writeStatus(tracing: XRayTracing, observation: TracingObservation): Promise<void> {
    const desired = computeStatus(tracing.status, observation, tracing.metadata.generation, this.now());
    await this.patchStatus(tracing, desired);
    for (const transition of conditionTransitions(tracing.status?.conditions, desired.conditions ?? [])) {
      const { to } = transition;
      // The workload controller records each rollback as it happens, on the workload and on this XRayTracing.
      if (to.type === ConditionTypes.rolledBack) continue;
      if (to.type === 'Ready' && to.status === 'True') await this.deps.events.record(involved(tracing), 'Normal', 'Ready', to.message);
      else if (to.status === 'False' && (to.type !== 'Ready' || to.reason === 'InvalidSpec')) {
        await this.deps.events.record(involved(tracing), 'Warning', to.reason, to.message);
      }
    }
  }

  /** Makes status equal `desired` through the status subresource: a merge patch of the fields that changed, if any. */
  private async patchStatus(tracing: XRayTracing, desired: XRayTracingStatus): Promise<void> {
    const patch = statusMergePatch(tracing.status, desired);
    if (!patch) return;
    try {
      await this.deps.clients.custom.patchNamespacedCustomObjectStatus(
        { ...crd, namespace: tracing.metadata.namespace ?? '', name: tracing.metadata.name ?? '', body: { status: patch } },
        mergePatch,
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }
}
