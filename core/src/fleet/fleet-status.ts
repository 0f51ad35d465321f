// Which of a namespace's pods an XRayTracing covers, and how: the answer to "which of my pods are instrumented, and
// why not the others", per pod and per workload, for the XRayTracing's status. Pure: pods in, counts out.
import { compareText } from '../compare-text.js';
import { Annotations } from '../constants.js';
import type { FleetStatus, PodCounts, PodState, WorkloadState, XRayTracing } from '../api/types.js';
import { podSubject, selectTracing } from '../selection/tracing-selection.js';
import type { PodMetadataLike } from '../injection/types.js';
import { podDisplayName, workloadOf } from '../injection/workload.js';

export interface FleetPod {
  metadata: PodMetadataLike;
}

const STATE_ORDER: readonly PodState[] = ['uninjected', 'skipped', 'outdated', 'current'];

/** uninjected < skipped < outdated < current: a workload is as far along as its least advanced pod. */
export const isLessAdvanced = (a: PodState, b: PodState): boolean => STATE_ORDER.indexOf(a) < STATE_ORDER.indexOf(b);

export interface FleetInput {
  namespace: string;
  tracing: XRayTracing;
  /** The config hash pods of this XRayTracing are injected with now. */
  configHash: string;
  namespaceAnnotations: Readonly<Record<string, string>> | undefined;
  tracings: readonly XRayTracing[];
  /** Live pods of the namespace (not finished, not being deleted). */
  pods: readonly FleetPod[];
  /** At most this many workloads are listed. Default 20. */
  limit?: number;
}

export interface PodStateFound {
  state: PodState;
  reason?: string;
}

/** A pod's state for an XRayTracing; undefined when injected by another one, or neither injected nor selected. */
export function podState(pod: FleetPod, tracingName: string, configHash: string, selects: boolean): PodStateFound | undefined {
  const annotations = pod.metadata.annotations ?? {};
  const injected = annotations[Annotations.injected];
  if (injected !== undefined) {
    const [name, hash] = injected.split('/');
    if (name !== tracingName) return undefined;
    return { state: hash === configHash ? 'current' : 'outdated' };
  }
  if (!selects) return undefined;
  const reason = annotations[Annotations.injectionSkipped];
  return reason ? { state: 'skipped', reason } : { state: 'uninjected' };
}

export function fleetStatus(input: FleetInput): FleetStatus {
  const tracingName = input.tracing.metadata.name ?? '';
  const pods: PodCounts = { selected: 0, current: 0, outdated: 0, skipped: 0, uninjected: 0 };
  const skippedReasons: Record<string, number> = {};
  const byWorkload = new Map<string, WorkloadState>();
  for (const pod of input.pods) {
    const selection = selectTracing(podSubject(pod.metadata, input.namespace, input.namespaceAnnotations), input.tracings);
    const selects = selection.kind === 'selected' && selection.tracing.metadata.name === tracingName;
    const found = podState(pod, tracingName, input.configHash, selects);
    if (!found) continue;
    pods.selected++;
    pods[found.state]++;
    if (found.reason) skippedReasons[found.reason] = (skippedReasons[found.reason] ?? 0) + 1;
    const workload = workloadOf(pod.metadata) ?? { kind: 'Pod', name: podDisplayName(pod.metadata) };
    const key = `${workload.kind}/${workload.name}`;
    const entry = byWorkload.get(key) ?? { kind: workload.kind, name: workload.name, state: 'current', pods: 0 };
    entry.pods++;
    if (isLessAdvanced(found.state, entry.state)) {
      entry.state = found.state;
      if (found.reason) entry.reason = found.reason;
      else delete entry.reason;
    }
    byWorkload.set(key, entry);
  }
  const all = [...byWorkload.values()].sort(
    (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || compareText(a.kind, b.kind) || compareText(a.name, b.name),
  );
  const limit = input.limit ?? 20;
  const workloads = { selected: all.length, current: 0, outdated: 0, skipped: 0, uninjected: 0 };
  for (const workload of all) workloads[workload.state]++;
  return { pods, skippedReasons, workloads, workloadList: all.slice(0, limit), moreWorkloads: Math.max(0, all.length - limit) };
}

/** For `kubectl get xrt`: `12/15` pods injected with the current config out of those selected. */
export const podsSummary = (counts: PodCounts): string => `${counts.current}/${counts.selected}`;
