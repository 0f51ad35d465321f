import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { V1Pod } from '@kubernetes/client-node';
import type { XRayTracing } from '../../../../core/src/api/types.js';
import { Annotations } from '../../../../core/src/constants.js';
import type { ClusterCaches, Workload } from '../../k8s/caches.js';
import type { KubeClients } from '../../k8s/clients.js';
import { TracingConfigs } from '../tracing/tracing-config.js';
import { WorkloadReconciler } from './reconciler.js';
import { TracingStateRecords } from './tracing-state.js';

const selecting: XRayTracing = {
  apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing',
  metadata: { name: 'default', namespace: 'shop', uid: 't', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, rollout: { restartOnChange: false } },
};
const configs = new TracingConfigs({ clusterName: 'c', nativeSidecarsSupported: true });
const currentHash = (() => {
  const config = configs.of(selecting);
  return config.ok ? config.configHash : '';
})();

const web = (templateLabels: Record<string, string>, annotations: Record<string, string> = {}, templateAnnotations: Record<string, string> = {}): Workload => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u1', resourceVersion: '7', annotations },
  spec: { selector: {}, template: { metadata: { labels: templateLabels, annotations: templateAnnotations } } },
});

const webPod = (annotations: Record<string, string>): V1Pod => ({
  metadata: {
    name: 'web-7d9f-abcde', namespace: 'shop', uid: 'p1', annotations,
    labels: { app: 'web', 'pod-template-hash': '7d9f' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f', uid: 'rs', controller: true }],
  },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running' },
});

/** The workload reconciler with the record, on fake caches; every merge patch body is kept in order. */
function withRecords(workload: Workload, pods: V1Pod[], serves = true) {
  const bodies: { metadata?: { annotations?: Record<string, string | null> }; spec?: unknown }[] = [];
  const caches = {
    workloads: { Deployment: { get: (name: string) => (name === 'web' ? workload : undefined), list: () => [workload] } },
    namespaces: { get: () => undefined },
    pods: { list: () => pods },
    xrayTracings: { list: () => [selecting], get: (name: string) => (name === 'default' ? selecting : undefined) },
  } as unknown as ClusterCaches;
  const clients = { apps: { patchNamespacedDeployment: (params: { body: (typeof bodies)[number] }) => (bodies.push(params.body), Promise.resolve({})) } } as unknown as KubeClients;
  const logger = pino({ level: 'silent' });
  const tracingStates = new TracingStateRecords({ clients, caches, configs, logger, serves: () => serves });
  const reconciler = new WorkloadReconciler({ clients, caches, configs, logger, events: { record: () => Promise.resolve() }, serves: () => serves, tracingStates });
  const records = () => bodies.filter((body) => body.spec === undefined).map((body) => body.metadata?.annotations?.[Annotations.tracingState]);
  return { reconciler, bodies, records };
}

describe('the tracing-state record', () => {
  it('records a selector-selected workload whose pods run the current config as injected, with a patch of that one annotation only', async () => {
    const { reconciler, bodies } = withRecords(web({ app: 'web' }), [webPod({ [Annotations.injected]: `default/${currentHash}` })]);
    await reconciler.reconcile('Deployment/shop/web');
    expect(bodies).toEqual([{ metadata: { annotations: { [Annotations.tracingState]: 'injected' } } }]);
  });

  it('records outdated pods', async () => {
    const { reconciler, records } = withRecords(web({ app: 'web' }), [webPod({ [Annotations.injected]: 'default/old' })]);
    await reconciler.reconcile('Deployment/shop/web');
    expect(records()).toEqual(['outdated']);
  });

  it('writes nothing when the cached workload already holds the value', async () => {
    const { reconciler, bodies } = withRecords(web({ app: 'web' }, { [Annotations.tracingState]: 'injected' }), [webPod({ [Annotations.injected]: `default/${currentHash}` })]);
    await reconciler.reconcile('Deployment/shop/web');
    await reconciler.reconcile('Deployment/shop/web');
    expect(bodies).toEqual([]);
  });

  it('removes the record from a workload no XRayTracing selects any more, and writes none on one never selected', async () => {
    const deselected = withRecords(web({ app: 'api' }, { [Annotations.tracingState]: 'injected' }), []);
    await deselected.reconciler.reconcile('Deployment/shop/web');
    expect(deselected.records()).toEqual([null]);
    const never = withRecords(web({ app: 'api' }), []);
    await never.reconciler.reconcile('Deployment/shop/web');
    expect(never.bodies).toEqual([]);
  });

  it('records a selected workload the webhook configuration leaves out, and does not roll it', async () => {
    const { reconciler, bodies } = withRecords(web({ app: 'web' }), [webPod({})], false);
    await reconciler.reconcile('Deployment/shop/web');
    expect(bodies).toEqual([{ metadata: { annotations: { [Annotations.tracingState]: 'skipped:NotServedByWebhook' } } }]);
  });

  it('writes the record after the roll, whose patch is guarded by the cached resourceVersion', async () => {
    // An uninjected pod of a selected workload: rolled once (missed injection), then recorded.
    const { reconciler, bodies } = withRecords(web({ app: 'web' }), [webPod({})]);
    await reconciler.reconcile('Deployment/shop/web');
    expect(bodies.map((body) => (body.spec === undefined ? 'record' : 'roll'))).toEqual(['roll', 'record']);
    expect(bodies[1]).toEqual({ metadata: { annotations: { [Annotations.tracingState]: 'uninjected' } } });
  });
});
