// Read-only views of the cluster the pure core is fed from. In the operator they are backed by the informer cache
// (never an API call on the admission path); in the CLI by the objects read from files.
import type { XRayTracing } from './api/types.js';

export interface ConfigMapLike {
  metadata: { name?: string; namespace?: string };
  data?: Record<string, string>;
  /**
   * Some keys or values were left out (a cache keeps bounded copies): a key missing from `data` may still be set, so
   * a lookup that misses is answered as unreadable, like a Secret's.
   */
  incomplete?: boolean;
}

export interface NamespaceLike {
  metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface ClusterView {
  listXRayTracings(namespace: string): readonly XRayTracing[];
  getConfigMap(namespace: string, name: string): ConfigMapLike | undefined;
  getNamespace(name: string): NamespaceLike | undefined;
  /** Whether the API server supports native sidecars (Kubernetes ≥ 1.29). */
  nativeSidecarsSupported(): boolean;
  /** Cluster name used in resource attributes and X-Ray rule ownership tags. */
  clusterName(): string | undefined;
}

/** Where the webhook reports pods it admitted without injection (Kubernetes Events in the operator). */
export interface AdmissionEventSink {
  podNotInjected(namespace: string, podName: string, reason: string, owner?: { kind: string; name: string; uid: string }): void;
}
