// The webhook's view of the cluster, served from the informer caches: no API call on the admission path.
import type { V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import type { XRayTracing } from '../../../core/src/api/types.js';
import type { ClusterView, ConfigMapLike, NamespaceLike } from '../../../core/src/ports.js';
import type { ClusterCaches } from './caches.js';
import { INCOMPLETE_ANNOTATION } from './strip.js';

/**
 * The webhook's answer cache reuses an answer while every lookup returns the same objects, so the view hands out one
 * object per cached version: a new one only when the informer replaced the object.
 */
export class InformerClusterView implements ClusterView {
  private readonly configMapViews = new WeakMap<V1ConfigMap, ConfigMapLike>();
  private readonly namespaceViews = new WeakMap<V1Namespace, NamespaceLike>();

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
    let view = this.configMapViews.get(configMap);
    if (!view) {
      const incomplete = configMap.metadata?.annotations?.[INCOMPLETE_ANNOTATION] === 'true';
      view = { metadata: { name: configMap.metadata?.name, namespace: configMap.metadata?.namespace }, data: configMap.data, ...(incomplete ? { incomplete } : {}) };
      this.configMapViews.set(configMap, view);
    }
    return view;
  }

  getNamespace(name: string): NamespaceLike | undefined {
    const namespace = this.caches.namespaces.get(name);
    if (!namespace) return undefined;
    let view = this.namespaceViews.get(namespace);
    if (!view) {
      const { labels, annotations } = namespace.metadata ?? {};
      view = { metadata: { name, labels, annotations } };
      this.namespaceViews.set(namespace, view);
    }
    return view;
  }

  nativeSidecarsSupported(): boolean {
    return this.settings.nativeSidecars;
  }

  clusterName(): string | undefined {
    return this.settings.clusterName;
  }
}
