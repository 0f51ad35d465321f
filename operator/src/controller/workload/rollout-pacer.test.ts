import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../../../../core/src/api/types.js';
import { Annotations } from '../../../../core/src/constants.js';
import type { ClusterCaches, Workload } from '../../k8s/caches.js';
import { TracingConfigs } from '../tracing/tracing-config.js';
import { RolloutPacer } from './rollout-pacer.js';

const t0 = new Date('2026-01-01T12:00:00.000Z');
const tracing = (namespace: string, maxConcurrent: number): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default', namespace, uid: `t-${namespace}`, generation: 1 }, spec: { rollout: { maxConcurrent } },
});

/** A Deployment the operator rolled at `stamp`, available or not. */
function rolled(namespace: string, name: string, stamp: string, available: boolean): Workload {
  return {
    metadata: { name, namespace, generation: 2 },
    spec: { replicas: 1, selector: {}, template: { metadata: { annotations: { [Annotations.restartedAt]: stamp } } } },
    status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: available ? 1 : 0 },
  };
}

function pacerWith(workloads: Workload[], tracings: XRayTracing[], perCluster?: number) {
  let now = t0;
  const caches = {
    workloads: { Deployment: { list: () => workloads }, StatefulSet: { list: () => [] }, DaemonSet: { list: () => [] } },
    xrayTracings: { list: (namespace?: string) => tracings.filter((t) => namespace === undefined || t.metadata.namespace === namespace) },
  } as unknown as ClusterCaches;
  const pacer = new RolloutPacer({ caches, configs: new TracingConfigs({ clusterName: 'c', nativeSidecarsSupported: true }), perCluster, now: () => now });
  return { pacer, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}
const ask = (name: string, namespace = 'shop') => [{ kind: 'Deployment' as const, namespace, name }, { reason: 'missed-injection', priority: 'normal' as const, stamp: t0.toISOString() }] as const;

describe('RolloutPacer', () => {
  it('queues a roll while the namespace budget is held by a rollout the workloads show running, and lets it start once that one is available', () => {
    const workloads = [rolled('shop', 'running', new Date(t0.getTime() - 30_000).toISOString(), false)];
    const { pacer, advance } = pacerWith(workloads, [tracing('shop', 1)]);
    expect(pacer.request(...ask('next'))).toBe(false);
    expect(pacer.status('shop')).toEqual({ inProgress: 1, queued: 1, queuedList: [{ kind: 'Deployment', name: 'next', reason: 'missed-injection' }], moreQueued: 0 });
    workloads[0] = rolled('shop', 'running', new Date(t0.getTime() - 30_000).toISOString(), true);
    advance(1_000);
    expect(pacer.request(...ask('next'))).toBe(true);
    expect(pacer.status('shop')).toMatchObject({ queued: 0 });
  });

  it('counts a roll it allowed before the cache shows it, so two reconciles at once cannot both take the last place', () => {
    const { pacer } = pacerWith([], [tracing('shop', 1)]);
    expect(pacer.request(...ask('first'))).toBe(true);
    expect(pacer.request(...ask('second'))).toBe(false);
    expect(pacer.status('shop').inProgress).toBe(1);
  });

  it('gives the place back when the allowed roll was not written', () => {
    const { pacer } = pacerWith([], [tracing('shop', 1)]);
    expect(pacer.request(...ask('first'))).toBe(true);
    pacer.abandon({ kind: 'Deployment', namespace: 'shop', name: 'first' });
    expect(pacer.request(...ask('second'))).toBe(true);
  });

  it('stops counting a rollout whose stamp is older than the progress deadline', () => {
    const { pacer } = pacerWith([rolled('shop', 'stuck', new Date(t0.getTime() - 601_000).toISOString(), false)], [tracing('shop', 1)]);
    expect(pacer.request(...ask('next'))).toBe(true);
  });

  it('caps the cluster across namespaces', () => {
    const { pacer } = pacerWith([], [tracing('shop', 5), tracing('blog', 5)], 1);
    expect(pacer.request(...ask('a', 'shop'))).toBe(true);
    expect(pacer.request(...ask('b', 'blog'))).toBe(false);
  });

  it('uses the default budget (2) in a namespace without an XRayTracing, and drops a workload that withdrew from the queue', () => {
    const { pacer } = pacerWith([], []);
    expect(pacer.request(...ask('a'))).toBe(true);
    expect(pacer.request(...ask('b'))).toBe(true);
    expect(pacer.request(...ask('c'))).toBe(false);
    pacer.withdraw({ kind: 'Deployment', namespace: 'shop', name: 'c' });
    expect(pacer.status('shop').queued).toBe(0);
  });

  it('forgets a waiting workload that stopped asking', () => {
    const { pacer, advance } = pacerWith([], [tracing('shop', 1)]);
    pacer.request(...ask('a'));
    pacer.request(...ask('b'));
    advance(31_000);
    expect(pacer.status('shop').queued).toBe(0);
  });
});
