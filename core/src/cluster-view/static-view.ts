// A ClusterView over objects held in memory: what the CLI reads from files, and what tests build.
import { API_GROUP_VERSION, DEFAULT_TRACING_NAME, XRAY_TRACING_KIND } from '../constants.js';
import type { XRayTracing } from '../api/types.js';
import type { ClusterView, ConfigMapLike, NamespaceLike } from '../ports.js';

export interface StaticClusterViewOptions {
  xrayTracings?: readonly XRayTracing[];
  configMaps?: readonly ConfigMapLike[];
  namespaces?: readonly NamespaceLike[];
  /** A namespace without XRayTracings behaves as if it held one named `default` with `spec: {}` (the CLI without --tracing). */
  builtInDefaults?: boolean;
  /** Default true: the CLI targets current clusters (Kubernetes ≥ 1.29). */
  nativeSidecarsSupported?: boolean;
  clusterName?: string;
}

/**
 * Objects without `metadata.namespace` belong to every namespace: a `--tracing` file usually names none, and applies
 * to whatever namespace the injected objects are in.
 */
const inNamespace = (object: { metadata: { namespace?: string } }, namespace: string): boolean =>
  object.metadata.namespace === undefined || object.metadata.namespace === namespace;

export class StaticClusterView implements ClusterView {
  readonly #options: StaticClusterViewOptions;

  constructor(options: StaticClusterViewOptions = {}) {
    this.#options = options;
  }

  listXRayTracings(namespace: string): readonly XRayTracing[] {
    const found = (this.#options.xrayTracings ?? []).filter((t) => inNamespace(t, namespace));
    if (found.length || !this.#options.builtInDefaults) return found;
    return [{ apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, metadata: { name: DEFAULT_TRACING_NAME, namespace }, spec: {} }];
  }

  getConfigMap(namespace: string, name: string): ConfigMapLike | undefined {
    return (this.#options.configMaps ?? []).find((cm) => cm.metadata.name === name && inNamespace(cm, namespace));
  }

  getNamespace(name: string): NamespaceLike | undefined {
    return (this.#options.namespaces ?? []).find((ns) => ns.metadata.name === name);
  }

  nativeSidecarsSupported(): boolean {
    return this.#options.nativeSidecarsSupported ?? true;
  }

  clusterName(): string | undefined {
    return this.#options.clusterName;
  }
}
