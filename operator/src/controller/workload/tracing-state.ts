// Keeps the per-workload record (`xray-operator.dev/tracing-state`) current: one merge patch of the workload's
// metadata.annotations, only when the value differs from the cached one. It never touches the pod template, so it
// never rolls the workload; workloadTracingState (core) decides the value.
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Annotations } from '../../../../core/src/constants.js';
import { workloadTracingState } from '../../../../core/src/fleet/workload-record.js';
import { selectTracing, templateSubject } from '../../../../core/src/injection/index.js';
import type { ClusterCaches, Workload, WorkloadKind } from '../../k8s/caches.js';
import type { KubeClients } from '../../k8s/clients.js';
import { isNotFound } from '../../k8s/errors.js';
import { podHasFinished } from '../../k8s/pod-phase.js';
import { mergePatchWorkload } from '../../k8s/workload-patch.js';
import type { TracingConfigs } from '../tracing/tracing-config.js';
import { workloadKey, workloadKeyOfPod } from './keys.js';

export interface TracingStateDeps {
  clients: KubeClients;
  caches: ClusterCaches;
  configs: TracingConfigs;
  logger: Logger;
  serves?: (namespace: string, templateLabels: Readonly<Record<string, string>> | undefined) => boolean;
}

/** The workload's pods that are running or about to (not finished, not being deleted). */
function liveWorkloadPods(caches: Pick<ClusterCaches, 'pods'>, kind: WorkloadKind, namespace: string, name: string): V1Pod[] {
  const key = workloadKey(kind, namespace, name);
  return caches.pods.list(namespace).filter((pod) => !pod.metadata?.deletionTimestamp && !podHasFinished(pod) && workloadKeyOfPod(pod) === key);
}

export class TracingStateRecords {
  constructor(private readonly deps: TracingStateDeps) {}

  /** The record's value for a cached workload. */
  valueFor(kind: WorkloadKind, workload: Workload): string | undefined {
    const { caches, configs, serves } = this.deps;
    const { name = '', namespace = '', annotations } = workload.metadata ?? {};
    const template = workload.spec?.template.metadata;
    const namespaceAnnotations = caches.namespaces.get(namespace)?.metadata?.annotations;
    const selection = selectTracing(templateSubject(template, { kind, name, annotations }, namespace, namespaceAnnotations), caches.xrayTracings.list(namespace));
    const config = selection.kind === 'selected' ? configs.of(selection.tracing) : undefined;
    return workloadTracingState({
      selection,
      served: serves?.(namespace, template?.labels) ?? true,
      configHash: config?.ok ? config.configHash : undefined,
      pods: liveWorkloadPods(caches, kind, namespace, name).map((pod) => ({ metadata: pod.metadata ?? {} })),
    });
  }

  /** Writes the record when it differs from the cached workload's (null removes it from a workload nothing selects). */
  async record(kind: WorkloadKind, namespace: string, name: string): Promise<void> {
    const workload = this.deps.caches.workloads[kind].get(name, namespace);
    if (!workload) return;
    const wanted = this.valueFor(kind, workload);
    const current = workload.metadata?.annotations?.[Annotations.tracingState];
    if (wanted === current) return;
    try {
      await mergePatchWorkload(this.deps.clients, kind, name, namespace, { metadata: { annotations: { [Annotations.tracingState]: wanted ?? null } } });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    this.deps.logger.debug({ namespace, name, uid: workload.metadata?.uid, operation: 'workload-record', kind, from: current, to: wanted }, 'Updated the workload\'s tracing state');
  }
}
