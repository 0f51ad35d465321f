// The engine's entry points for the edges: look up what a pod needs in a ClusterView, select the XRayTracing
// (annotations and selectors, core/src/selection/tracing-selection.ts), inject.
import type { ResolvedSpec, XRayTracing } from '../api/types.js';
import type { ClusterView } from '../ports.js';
import { alreadyInjectedOutcome, injectPod } from './inject-pod.js';
import { recordingView, type ViewLookup } from '../cluster-view/recording-view.js';
import { podSubject, selectTracing, templateSubject, type TracingSelection } from '../selection/tracing-selection.js';
import type { InjectionContext, InjectionOutcome, V1PodLike, V1PodTemplateLike, WorkloadRef } from './types.js';

/** Turns a validated XRayTracing into its resolved spec (the edge validates and caches). */
export type SpecResolver = (tracing: XRayTracing) => ResolvedSpec;

type WorkloadOfTemplate = WorkloadRef & { annotations?: Record<string, string> };

function selectFor(pod: V1PodLike, namespace: string, view: ClusterView, workload?: WorkloadOfTemplate): TracingSelection {
  const namespaceAnnotations = view.getNamespace(namespace)?.metadata.annotations;
  const subject = workload ? templateSubject(pod.metadata, workload, namespace, namespaceAnnotations) : podSubject(pod.metadata, namespace, namespaceAnnotations);
  return selectTracing(subject, view.listXRayTracings(namespace));
}

function injectSelection(
  pod: V1PodLike,
  namespace: string,
  view: ClusterView,
  resolve: SpecResolver,
  selection: TracingSelection,
  workload?: WorkloadOfTemplate,
): InjectionOutcome {
  const injectedBefore = alreadyInjectedOutcome(pod);
  if (injectedBefore) return injectedBefore;
  switch (selection.kind) {
    case 'notOptedIn':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [], notOptedIn: true };
    case 'optedOut':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [] };
    case 'ambiguous':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [selection.warning], skipped: 'AmbiguousXRayTracing' };
    case 'missing':
      return { action: 'unchanged', pod, reason: selection.reason, warnings: [selection.warning], missingTracing: true, skipped: 'NoXRayTracing' };
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

function injectSelected(pod: V1PodLike, namespace: string, view: ClusterView, resolve: SpecResolver, workload?: WorkloadOfTemplate): InjectionOutcome {
  return injectSelection(pod, namespace, view, resolve, selectFor(pod, namespace, view, workload), workload);
}

/** `injectWithView` in two steps, telling what it selected and read: the webhook caches answers on both. */
export interface ViewSelection {
  /** The pod opts in to an XRayTracing the view holds (it is injected from it, or an injected pod topped up). */
  selected: boolean;
  /** Every read from the view so far, with its result; `inject` adds its own. The outcome holds while they do. */
  lookups: readonly ViewLookup[];
  /** The outcome `injectWithView` gives. */
  inject(resolve: SpecResolver): InjectionOutcome;
}

export function selectWithView(pod: V1PodLike, namespace: string, view: ClusterView): ViewSelection {
  const lookups: ViewLookup[] = [];
  const recording = recordingView(view, lookups);
  const selection = selectFor(pod, namespace, recording);
  return { selected: selection.kind === 'selected', lookups, inject: (resolve) => injectSelection(pod, namespace, recording, resolve, selection) };
}

/**
 * Selects the XRayTracing from the view (annotations, then selectors: selectTracing) and injects.
 * Specs in the view are already validated; `resolve` fills their defaults. Never throws for user data.
 */
export function injectWithView(pod: V1PodLike, namespace: string, view: ClusterView, resolve: SpecResolver): InjectionOutcome {
  return injectSelected(pod, namespace, view, resolve);
}

/**
 * Injects the pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). The
 * template's opt-in annotation beats the workload's; selectors match the template's labels and the workload's kind
 * and name. Returns the template in `pod`.
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
