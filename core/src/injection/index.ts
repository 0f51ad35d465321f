// Public API of the injection engine.
export type {
  ContainerLike,
  InjectionContext,
  InjectionOptions,
  InjectionOutcome,
  PodMetadataLike,
  SkipReason,
  V1PodLike,
  V1PodTemplateLike,
  WorkloadRef,
} from './types.js';
export { injectPod, isInjected } from './inject-pod.js';
export { injectPodTemplate, injectWithView, selectWithView, type SpecResolver, type ViewSelection } from './inject-with-view.js';
export { injectionConfigHash, type ClusterFacts } from './config-hash.js';
export { missingTracingWarning, podSubject, selectTracing, templateSubject, type SelectionSubject, type TracingSelection } from '../selection/tracing-selection.js';
export { workloadOf, serviceNameFor } from './workload.js';
export { restrictedProfileViolations } from './restricted-profile.js';
export { USER_NODE_OPTIONS_ENV } from './node-options.js';
export { USER_RESOURCE_ATTRIBUTES_ENV } from './resource-attributes-env.js';
export { COLLECTOR_UID, PRELOAD_COPIER_UID } from './security-context.js';
