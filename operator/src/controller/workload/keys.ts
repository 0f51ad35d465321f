// Which workload a cached object concerns: the key `Kind/namespace/name` the workload queue runs on.
import type { V1Pod } from '@kubernetes/client-node';
import { Annotations, InjectedNames } from '../../../../core/src/constants.js';
import { workloadOf } from '../../../../core/src/injection/index.js';
import type { WorkloadKind } from '../../k8s/caches.js';
import { podHasFinished } from '../../k8s/pod-phase.js';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function parseWorkloadKey(key: string): { kind: WorkloadKind; namespace: string; name: string } | undefined {
  const [kind, namespace, name] = key.split('/');
  if (!kind || namespace === undefined || !name || !(WORKLOAD_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as WorkloadKind, namespace, name };
}

/** The workload key of a pod's owner (a ReplicaSet's Deployment through the pod-template-hash convention). */
export function workloadKeyOfPod(pod: V1Pod): string | undefined {
  const metadata = pod.metadata;
  if (!metadata?.namespace) return undefined;
  const workload = workloadOf(metadata);
  if (!workload || !(WORKLOAD_KINDS as readonly string[]).includes(workload.kind)) return undefined;
  return workloadKey(workload.kind as WorkloadKind, metadata.namespace, workload.name);
}

/**
 * What about a pod the workload reconciler reads. Pods change status all the time; only a change of this
 * fingerprint is worth a reconcile of their workload.
 */
export function podFingerprint(pod: V1Pod): string {
  const annotations = pod.metadata?.annotations ?? {};
  const initContainer = (pod.spec?.initContainers ?? []).some((c) => c.name === InjectedNames.initContainer);
  return JSON.stringify([
    annotations[Annotations.injected],
    annotations[Annotations.injectNodejs],
    initContainer,
    podHasFinished(pod),
    pod.metadata?.deletionTimestamp !== undefined,
    // Health, for the rollback decision: readiness and restarts.
    pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status,
    (pod.status?.containerStatuses ?? []).map((container) => `${container.name}:${container.restartCount}`),
  ]);
}
