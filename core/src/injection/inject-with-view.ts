// The engine's entry points for the edges: look up what a pod needs in a ClusterView, decide the opt-in, inject.
import type { ResolvedSpec, XRayTracing } from '../api/types.js';
import type { ClusterView } from '../ports.js';
import { alreadyInjectedOutcome, injectPod } from './inject-pod.js';
import { selectTracing } from './opt-in.js';
import type { InjectionContext, InjectionOutcome, V1PodLike, V1PodTemplateLike, WorkloadRef } from './types.js';

/** Turns a validated XRayTracing into its resolved spec (the edge validates and caches). */
export type SpecResolver = (tracing: XRayTracing) => ResolvedSpec;

function injectSelected(
  pod: V1PodLike,
  namespace: string,
  view: ClusterView,
  resolve: SpecResolver,
  workload?: WorkloadRef & { annotations?: Record<string, string> },
): InjectionOutcome {
  const injectedBefore = alreadyInjectedOutcome(pod);
  if (injectedBefore) return injectedBefore;
  const namespaceAnnotations = view.getNamespace(namespace)?.metadata.annotations;
  const selection = selectTracing(pod.metadata?.annotations, namespaceAnnotations, view.listXRayTracings(namespace), namespace, workload ? (workload.annotations ?? {}) : undefined);
  switch (selection.kind) {
    case 'notOptedIn':
    case 'optedOut':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [] };
    case 'ambiguous':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [selection.warning] };
    case 'missing':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [selection.warning], missingTracing: true };
    case 'selected': {
      const ctx: InjectionContext = {
        namespace,
        tracingName: selection.tracing.metadata.name ?? '',
        clusterName: view.clusterName(),
        nativeSidecarsSupported: view.nativeSidecarsSupported(),
        getConfigMap: (name) => view.getConfigMap(namespace, name),
        ...(workload ? { workload: { kind: workload.kind, name: workload.name } } : {}),
      };
      return injectPod(pod, resolve(selection.tracing), ctx);
    }
  }
}

/**
 * Decides the opt-in (pod annotation beats namespace annotation), picks the XRayTracing from the view and injects.
 * Specs in the view are already validated; `resolve` fills their defaults. Never throws for user data.
 */
export function injectWithView(pod: V1PodLike, namespace: string, view: ClusterView, resolve: SpecResolver): InjectionOutcome {
  return injectSelected(pod, namespace, view, resolve);
}

/**
 * Injects the pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). The
 * template's opt-in annotation beats the workload's, which beats the namespace's. Returns the template in `pod`.
 */
export function injectPodTemplate(
  template: V1PodTemplateLike,
  workload: WorkloadRef & { annotations?: Record<string, string> },
  namespace: string,
  view: ClusterView,
  resolve: SpecResolver,
): InjectionOutcome {
  return injectSelected(template, namespace, view, resolve, workload);
}
