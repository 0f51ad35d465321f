import { describe, expect, it } from 'vitest';
import type { V1Namespace } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Annotations } from '../../../core/src/constants.js';
import type { XRayTracing } from '../../../core/src/api/types.js';
import type { ClusterCaches, Workload } from '../k8s/caches.js';
import type { EventRecorder, InvolvedObject } from '../k8s/events.js';
import { admissionEventSink } from './admission-events.js';

/** Just the get/list the sink calls, over fixed objects. */
function cache<T extends { metadata?: { name?: string; namespace?: string } }>(objects: T[]) {
  return {
    get: (name: string, namespace?: string) => objects.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace),
    list: (namespace?: string) => objects.filter((o) => o.metadata?.namespace === namespace),
  };
}

const deployment = (name: string, namespace: string, templateAnnotations: Record<string, string>): Workload => ({
  metadata: { name, namespace, uid: `uid-${name}` },
  spec: { selector: {}, template: { metadata: { annotations: templateAnnotations, labels: { app: name } } } },
});

const optedIn = { [Annotations.injectNodejs]: 'true' };

function setup(options: { tracings?: XRayTracing[]; serves?: (namespace: string) => boolean } = {}) {
  const recorded: { object: InvolvedObject; reason: string; message: string }[] = [];
  const events: EventRecorder = { record: (object, _type, reason, message) => (recorded.push({ object, reason, message }), Promise.resolve()) };
  const namespaces: V1Namespace[] = [{ metadata: { name: 'shop' } }, { metadata: { name: 'kube-system' } }];
  const workloads = [deployment('checkout', 'shop', optedIn), deployment('plain', 'shop', {}), deployment('coredns', 'kube-system', optedIn)];
  const caches = {
    namespaces: { get: (name: string) => namespaces.find((ns) => ns.metadata?.name === name) },
    workloads: { Deployment: cache(workloads), StatefulSet: cache([deployment('db', 'shop', optedIn)]), DaemonSet: cache<Workload>([]) },
    xrayTracings: cache(options.tracings ?? []),
  } as unknown as ClusterCaches;
  const sink = admissionEventSink({ caches, events, logger: pino({ level: 'silent' }), serves: options.serves });
  return { sink, recorded };
}

describe('admissionEventSink', () => {
  it('records the Event on the cached Deployment, with its cached uid and a message built from the cache', () => {
    const { sink, recorded } = setup();
    sink.podNotInjected('shop', 'checkout-7d9f-*', `forged ${'x'.repeat(2048)}`, { kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'forged-uid' });
    expect(recorded).toEqual([{
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'checkout', uid: 'uid-checkout' },
      reason: 'NotInjected',
      message: 'Admitted pods without X-Ray instrumentation: No XRayTracing "default" in namespace "shop"',
    }]);
  });

  it.each([
    ['an owner that is not in the cache', 'shop', { kind: 'ReplicaSet', name: 'ghost-7d9f', uid: 'u' }],
    ['a namespace that does not exist', 'nowhere', { kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'u' }],
    ['a workload in another namespace than the request claims', 'kube-system', { kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'u' }],
    ['a cached workload that does not opt in', 'shop', { kind: 'ReplicaSet', name: 'plain-7d9f', uid: 'u' }],
    ['a pod without an owner', 'shop', undefined],
    ['a Job-owned pod (no cache to check it against)', 'shop', { kind: 'Job', name: 'checkout', uid: 'u' }],
    ['a StatefulSet that is not cached', 'shop', { kind: 'StatefulSet', name: 'checkout', uid: 'uid-checkout' }],
    ['a cached StatefulSet named with another uid', 'shop', { kind: 'StatefulSet', name: 'db', uid: 'forged-uid' }],
  ])('records nothing for %s', (_case, namespace, owner) => {
    const { sink, recorded } = setup();
    sink.podNotInjected(namespace, 'pod', 'forged', owner);
    expect(recorded).toEqual([]);
  });

  it('records on a StatefulSet that owns the pod directly when the uid is the cached one', () => {
    const { sink, recorded } = setup();
    sink.podNotInjected('shop', 'db-0', 'forged', { kind: 'StatefulSet', name: 'db', uid: 'uid-db' });
    expect(recorded.map((event) => event.object)).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'shop', name: 'db', uid: 'uid-db' }]);
  });

  it('records nothing when the XRayTracing exists after all', () => {
    const tracing = { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default', namespace: 'shop' }, spec: {} } as XRayTracing;
    const { sink, recorded } = setup({ tracings: [tracing] });
    sink.podNotInjected('shop', 'pod', 'forged', { kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'u' });
    expect(recorded).toEqual([]);
  });

  it('records nothing for workloads the webhook does not serve (excluded namespaces, object selector)', () => {
    const { sink, recorded } = setup({ serves: (namespace) => namespace !== 'shop' });
    sink.podNotInjected('shop', 'pod', 'forged', { kind: 'ReplicaSet', name: 'checkout-7d9f', uid: 'u' });
    expect(recorded).toEqual([]);
  });
});
