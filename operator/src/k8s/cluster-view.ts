// The webhook's view of the cluster, served from the informer caches: no API call on the admission path.
import type { XRayTracing } from '../../../core/src/api/types.js';
import type { ClusterView, ConfigMapLike, NamespaceLike } from '../../../core/src/ports.js';
import type { ClusterCaches } from './caches.js';
import { INCOMPLETE_ANNOTATION } from './strip.js';

export class InformerClusterView implements ClusterView {
  constructor(
    private readonly caches: ClusterCaches,
    private readonly settings: { clusterName?: string; nativeSidecars: boolean },
  ) {}

  listXRayTracings(namespace: string): readonly XRayTracing[] {
    return this.caches.xrayTracings.list(namespace);
  }

  getConfigMap(namespace: string, name: string): ConfigMapLike | undefined {
    const configMap = this.caches.configMaps.get(name, namespace);
    if (!configMap) return undefined;
    const incomplete = configMap.metadata?.annotations?.[INCOMPLETE_ANNOTATION] === 'true';
    return { metadata: { name: configMap.metadata?.name, namespace: configMap.metadata?.namespace }, data: configMap.data, ...(incomplete ? { incomplete } : {}) };
  }

  getNamespace(name: string): NamespaceLike | undefined {
    const namespace = this.caches.namespaces.get(name);
    if (!namespace) return undefined;
    const { labels, annotations } = namespace.metadata ?? {};
    return { metadata: { name, labels, annotations } };
  }

  nativeSidecarsSupported(): boolean {
    return this.settings.nativeSidecars;
  }

  clusterName(): string | undefined {
    return this.settings.clusterName;
  }
}
