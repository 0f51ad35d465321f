import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../core/src/api/defaults.js';
import type { ResolvedSpec, XRayTracing } from '../../core/src/api/types.js';
import { API_GROUP_VERSION, Annotations, XRAY_TRACING_KIND } from '../../core/src/constants.js';
import { StaticClusterView } from '../../core/src/cluster-view/static-view.js';
import type { ClusterView, ConfigMapLike, NamespaceLike } from '../../core/src/ports.js';
import { answerPod, cachedAnswerer } from './pod-answers.js';
import { fixture } from './testing/fixtures.js';

/** A view whose objects the test replaces, as an informer cache does when they change. */
class MutableView implements ClusterView {
  tracings: XRayTracing[] = [];
  configMaps: ConfigMapLike[] = [];
  listXRayTracings = (namespace: string) => this.tracings.filter((t) => t.metadata.namespace === namespace);
  getConfigMap = (namespace: string, name: string) => this.configMaps.find((c) => c.metadata.namespace === namespace && c.metadata.name === name);
  getNamespace = (): NamespaceLike | undefined => undefined;
  nativeSidecarsSupported = () => true;
  clusterName = () => 'prod';
}

const tracing = (image: string): XRayTracing => ({
  apiVersion: API_GROUP_VERSION,
  kind: XRAY_TRACING_KIND,
  metadata: { name: 'default', namespace: 'shop' },
  spec: { collector: { image } },
});

function countingResolver() {
  const calls: XRayTracing[] = [];
  const resolve = (t: XRayTracing): ResolvedSpec => {
    calls.push(t);
    return resolveSpec(t.spec);
  };
  return { resolve, calls };
}

const patchText = (patch: string | undefined) => Buffer.from(patch ?? '', 'base64').toString('utf8');

describe('cachedAnswerer', () => {
  it('answers identical pods from the cache, even when only their managedFields differ', () => {
    const view = new MutableView();
    view.tracings = [tracing('collector:1')];
    const { resolve, calls } = countingResolver();
    const answer = cachedAnswerer({ view, resolve });
    const pod = fixture('small-pod').request.object;
    const first = answer(structuredClone(pod), 'shop');
    const later = structuredClone(pod);
    later.metadata.managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', time: '2026-11-24T17:00:01Z' }];
    const second = answer(later, 'shop');
    expect(first.outcome).toBe('injected');
    expect(second).toBe(first);
    expect(calls).toHaveLength(1);
    expect(first).toEqual(answerPod(structuredClone(pod), 'shop', view, (t) => resolveSpec(t.spec)));
  });

  it('recomputes when an object the engine read was replaced (the XRayTracing changed)', () => {
    const view = new MutableView();
    view.tracings = [tracing('collector:1')];
    const { resolve, calls } = countingResolver();
    const answer = cachedAnswerer({ view, resolve });
    const pod = fixture('small-pod').request.object;
    expect(patchText(answer(structuredClone(pod), 'shop').patch)).toContain('collector:1');
    view.tracings = [tracing('collector:2')];
    expect(patchText(answer(structuredClone(pod), 'shop').patch)).toContain('collector:2');
    expect(calls).toHaveLength(2);
  });

  it('recomputes when an XRayTracing appears where it was missing', () => {
    const view = new MutableView();
    const { resolve } = countingResolver();
    const answer = cachedAnswerer({ view, resolve });
    const pod = fixture('small-pod').request.object;
    expect(answer(structuredClone(pod), 'shop')).toMatchObject({ outcome: 'skipped', missingTracing: true });
    view.tracings = [tracing('collector:1')];
    expect(answer(structuredClone(pod), 'shop')).toMatchObject({ outcome: 'injected', missingTracing: false });
  });

  it('keys on the namespace and the pod, and drops the least recently used answer beyond its size', () => {
    const view = new MutableView();
    view.tracings = [tracing('collector:1'), { ...tracing('collector:1'), metadata: { name: 'default', namespace: 'other' } }];
    const { resolve, calls } = countingResolver();
    const answer = cachedAnswerer({ view, resolve, maxEntries: 1 });
    const pod = fixture('small-pod').request.object;
    answer(structuredClone(pod), 'shop');
    answer(structuredClone(pod), 'other');
    answer(structuredClone(pod), 'shop');
    expect(calls.map((t) => t.metadata.namespace)).toEqual(['shop', 'other', 'shop']);
  });

  it('with size 0 runs the engine every time', () => {
    const view = new MutableView();
    view.tracings = [tracing('collector:1')];
    const { resolve, calls } = countingResolver();
    const answer = cachedAnswerer({ view, resolve, maxEntries: 0 });
    const pod = fixture('small-pod').request.object;
    answer(structuredClone(pod), 'shop');
    answer(structuredClone(pod), 'shop');
    expect(calls).toHaveLength(2);
  });
});

describe('opted-in pods the engine did not inject', () => {
  it('get only the reason recorded on them, as a code to select by', () => {
    const pod = { metadata: { annotations: { [Annotations.injectNodejs]: 'true' }, labels: { app: 'w' } }, spec: { containers: [{ name: 'app', image: 'a' }], nodeSelector: { 'kubernetes.io/os': 'windows' } } };
    const answer = answerPod(pod, 'shop', new StaticClusterView({ builtInDefaults: true }), (t) => resolveSpec(t.spec));
    expect(answer.outcome).toBe('skipped');
    const operations = JSON.parse(Buffer.from(answer.patch!, 'base64').toString('utf8')) as unknown[];
    expect(operations).toEqual([{ op: 'add', path: `/metadata/annotations/${Annotations.injectionSkipped.replace('/', '~1')}`, value: 'WindowsPod' }]);
  });

  it('leave pods that did not opt in without any patch', () => {
    const pod = { metadata: {}, spec: { containers: [{ name: 'app', image: 'a' }] } };
    const answer = answerPod(pod, 'shop', new StaticClusterView({ builtInDefaults: true }), (t) => resolveSpec(t.spec));
    expect(answer.outcome).toBe('unchanged');
    expect(answer).not.toHaveProperty('patch');
  });
});
