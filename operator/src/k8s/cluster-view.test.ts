import { describe, expect, it } from 'vitest';
import type { V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import type { XRayTracing } from '../../../core/src/api/types.js';
import { Annotations } from '../../../core/src/constants.js';
import { cachedAnswerer } from '../../../webhook/src/pod-answers.js';
import type { ClusterCaches } from './caches.js';
import { InformerClusterView } from './cluster-view.js';

describe('InformerClusterView with the webhook answer cache', () => {
  const tracing: XRayTracing = {
    apiVersion: 'tracing.xray-operator.dev/v1alpha1',
    kind: 'XRayTracing',
    metadata: { name: 'default', namespace: 'shop', uid: 't1', generation: 1 },
    spec: {},
  };
  let namespace: V1Namespace = { metadata: { name: 'shop', annotations: { [Annotations.injectNodejs]: 'true' } } };
  const configMap: V1ConfigMap = { metadata: { name: 'env', namespace: 'shop' }, data: { NODE_OPTIONS: '--max-old-space-size=256' } };
  const caches = {
    xrayTracings: { list: () => [tracing] },
    namespaces: { get: () => namespace },
    configMaps: { get: () => configMap },
  } as unknown as ClusterCaches;
  const pod = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web', envFrom: [{ configMapRef: { name: 'env' } }] }] } };

  it('answers a ReplicaSet of identical pods from the cache until an object it read is replaced', () => {
    const view = new InformerClusterView(caches, { clusterName: 'c', nativeSidecars: true });
    let engineRuns = 0;
    const resolve = (t: XRayTracing) => {
      engineRuns++;
      return resolveSpec(t.spec);
    };
    const answer = cachedAnswerer({ view, resolve });
    for (let i = 0; i < 100; i++) expect(answer(structuredClone(pod), 'shop').outcome).toBe('injected');
    expect(engineRuns).toBe(1);
    expect(view.getConfigMap('shop', 'env')).toBe(view.getConfigMap('shop', 'env'));
    namespace = { metadata: { ...namespace.metadata, labels: { changed: 'yes' } } };
    answer(structuredClone(pod), 'shop');
    expect(engineRuns).toBe(2);
  });
});
