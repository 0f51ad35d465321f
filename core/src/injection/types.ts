// The shapes the injection engine works on. Pods arrive as raw AdmissionReview JSON (timestamps are strings) or as
// YAML read by the CLI, so these are structural subsets of the client-node models rather than the classes.
import type { V1Container, V1OwnerReference, V1PodSpec } from '@kubernetes/client-node';
import type { ConfigMapLike } from '../ports.js';

export interface PodMetadataLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
}

/** A Pod (or any object with a pod's metadata and spec). `V1Pod` is assignable to it. */
export interface V1PodLike {
  apiVersion?: string;
  kind?: string;
  metadata?: PodMetadataLike;
  spec?: V1PodSpec;
  status?: unknown;
}

/** A pod template of a workload. `V1PodTemplateSpec` is assignable to it. */
export interface V1PodTemplateLike {
  metadata?: PodMetadataLike;
  spec?: V1PodSpec;
}

export type ContainerLike = V1Container;

/** The workload a pod belongs to, as far as it can be told without API calls. */
export interface WorkloadRef {
  /** Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob (or any controller kind). */
  kind: string;
  name: string;
  /** For a Deployment's pods: the ReplicaSet between them. */
  replicaSetName?: string;
}

/** Everything injectPod needs besides the pod and the spec; looked up by the caller. */
export interface InjectionContext {
  namespace: string;
  /** Name of the XRayTracing the spec comes from (written into the `injected` annotation). */
  tracingName: string;
  clusterName?: string;
  nativeSidecarsSupported: boolean;
  /** ConfigMaps of the pod's namespace (for `envFrom`); undefined = not found. */
  getConfigMap: (name: string) => ConfigMapLike | undefined;
  /** The owning workload; when absent it is derived from the pod's ownerReferences. */
  workload?: WorkloadRef;
}

/** Reserved for choices the edge makes (none yet). */
export type InjectionOptions = Record<string, never>;

/** Why an opted-in pod was not injected: short codes a person can filter pods by. */
export type SkipReason =
  | 'NoXRayTracing'
  | 'AmbiguousXRayTracing'
  | 'NoContainers'
  | 'WindowsPod'
  | 'NameConflict'
  | 'NoExportPath'
  | 'NoInstrumentableContainer'
  /** The controller rolled the workload back after its injected pods crashed (the rolled-back annotation). */
  | 'RolledBack';

export type InjectionOutcome =
  | { action: 'injected'; pod: V1PodLike; tracingName: string; configHash: string; warnings: string[] }
  /**
   * `skipped`: the pod opted in but was not injected (absent when it did not opt in, opted out or was injected before).
   * `notOptedIn`: nothing asked for tracing (no annotation, no XRayTracing selects it): most pods of a cluster.
   */
  | { action: 'unchanged'; pod: V1PodLike; reason: string; warnings: string[]; missingTracing?: boolean; skipped?: SkipReason; notOptedIn?: boolean };
