import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../api/types.js';
import { StaticClusterView } from './static-view.js';

const tracing = (name: string, namespace?: string): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { propagators: ['b3'] },
});

describe('StaticClusterView', () => {
  it('lists the XRayTracings of a namespace, and namespace-less ones everywhere', () => {
    const view = new StaticClusterView({ xrayTracings: [tracing('a', 'shop'), tracing('b', 'other'), tracing('c')] });
    expect(view.listXRayTracings('shop').map((t) => t.metadata.name)).toEqual(['a', 'c']);
  });

  it('synthesises an empty-spec "default" only in built-in defaults mode and only when the namespace has none', () => {
    expect(new StaticClusterView().listXRayTracings('shop')).toEqual([]);
    const defaults = new StaticClusterView({ builtInDefaults: true });
    expect(defaults.listXRayTracings('shop')).toEqual([
      { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default', namespace: 'shop' }, spec: {} },
    ]);
    const given = new StaticClusterView({ builtInDefaults: true, xrayTracings: [tracing('mine', 'shop')] });
    expect(given.listXRayTracings('shop').map((t) => t.metadata.name)).toEqual(['mine']);
  });

  it('finds ConfigMaps by namespace and name, and reports cluster facts', () => {
    const view = new StaticClusterView({
      configMaps: [{ metadata: { name: 'cm', namespace: 'shop' }, data: { K: 'v' } }],
      namespaces: [{ metadata: { name: 'shop', annotations: { a: 'b' } } }],
      nativeSidecarsSupported: false,
      clusterName: 'prod',
    });
    expect(view.getConfigMap('shop', 'cm')?.data).toEqual({ K: 'v' });
    expect(view.getConfigMap('other', 'cm')).toBeUndefined();
    expect(view.getNamespace('shop')?.metadata.annotations).toEqual({ a: 'b' });
    expect(view.nativeSidecarsSupported()).toBe(false);
    expect(view.clusterName()).toBe('prod');
    expect(new StaticClusterView().nativeSidecarsSupported()).toBe(true);
  });
});
