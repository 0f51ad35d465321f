import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { V1Pod } from '@kubernetes/client-node';
import type { XRayTracing } from '../../../../core/src/api/types.js';
import { Annotations } from '../../../../core/src/constants.js';
import { webhookServes } from '../../../../core/src/selection/webhook-selection.js';
import type { ClusterCaches, Workload } from '../../k8s/caches.js';
import type { KubeClients } from '../../k8s/clients.js';
import type { EventRecorder } from '../../k8s/events.js';
import { TracingConfigs } from '../tracing/tracing-config.js';
import { WorkloadReconciler } from './reconciler.js';
import type { RolloutPacer } from './rollout-pacer.js';

/** A Deployment opted in on its metadata only: the reconciler copies the opt-in to its template (a rollout). */
const optedInDeployment = (namespace: string, templateLabels: Record<string, string>): Workload => ({
  metadata: { name: 'web', namespace, uid: 'u1', resourceVersion: '7', annotations: { [Annotations.injectNodejs]: 'true' } },
  spec: { selector: {}, template: { metadata: { labels: templateLabels } } },
});

function reconcilerFor(workload: Workload, cached: { pods?: V1Pod[]; tracings?: XRayTracing[]; webhookReady?: boolean; pacer?: RolloutPacer } = {}) {
  const patches: unknown[] = [];
  const events: string[] = [];
  const configs = new TracingConfigs({ clusterName: 'c', nativeSidecarsSupported: true });
  const byName = (name: string, namespace?: string) => (workload.metadata?.name === name && workload.metadata.namespace === namespace ? workload : undefined);
  const caches = {
    workloads: { Deployment: { get: byName, list: () => [workload] } },
    namespaces: { get: () => undefined },
    pods: { list: () => cached.pods ?? [] },
    xrayTracings: { list: () => cached.tracings ?? [], get: (name: string) => cached.tracings?.find((t) => t.metadata.name === name) },
  } as unknown as ClusterCaches;
  const clients = { apps: { patchNamespacedDeployment: (params: unknown) => (patches.push(params), Promise.resolve({})) } } as unknown as KubeClients;
  const recorder: EventRecorder = { record: (object, _type, reason) => (events.push(`${object.kind}:${reason}`), Promise.resolve()) };
  // The chart's selection: kube-system, the release namespace and `monitoring` excluded; pods labelled skip left out.
  const selection = {
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['kube-system', 'xray-system', 'monitoring'] }] },
    objectSelector: { matchExpressions: [{ key: 'xray-operator.dev/skip', operator: 'DoesNotExist' as const }] },
  };
  const reconciler = new WorkloadReconciler({
    clients,
    caches,
    configs,
    events: recorder,
    ...(cached.pacer ? { pacer: cached.pacer } : {}),
    logger: pino({ level: 'silent' }),
    serves: (namespace, labels) => webhookServes(selection, namespace, undefined, labels),
    ...(cached.webhookReady === undefined ? {} : { webhook: { ready: () => Promise.resolve(cached.webhookReady!) } }),
  });
  return { reconciler, patches, events };
}

describe('WorkloadReconciler and the webhook\'s selection', () => {
  it('rolls an opted-in workload the webhook serves', async () => {
    const { reconciler, patches, events } = reconcilerFor(optedInDeployment('shop', { app: 'web' }));
    await reconciler.reconcile('Deployment/shop/web');
    expect(patches).toHaveLength(1);
    expect(events).toEqual(['Deployment:OptInPropagated']);
  });

  it.each([
    ['in a namespace the webhook excludes', optedInDeployment('monitoring', { app: 'web' })],
    ['whose pod template labels the objectSelector leaves out', optedInDeployment('shop', { app: 'web', 'xray-operator.dev/skip': 'true' })],
  ])('leaves alone a workload %s: its new pods would never be injected', async (_case, workload) => {
    const { reconciler, patches, events } = reconcilerFor(workload);
    await reconciler.reconcile(`Deployment/${workload.metadata!.namespace}/web`);
    expect(patches).toEqual([]);
    expect(events).toEqual([]);
  });
});

const tracing: XRayTracing = { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default', namespace: 'shop', uid: 't', generation: 1 }, spec: {} };
/** A Deployment opted in on its pod template. */
const templateOptedIn: Workload = {
  metadata: { name: 'web', namespace: 'shop', uid: 'u1', resourceVersion: '7' },
  spec: { selector: {}, template: { metadata: { labels: { app: 'web' }, annotations: { [Annotations.injectNodejs]: 'true' } } } },
};
/** A pod of templateOptedIn's ReplicaSet `web-<hash>`, created a minute ago. */
const podOf = (name: string, hash: string, annotations: Record<string, string>, status: V1Pod['status'] = { phase: 'Running' }): V1Pod => ({
  metadata: {
    name: `web-${hash}-${name}`, namespace: 'shop', uid: name, creationTimestamp: new Date(Date.now() - 60_000),
    annotations: { [Annotations.injectNodejs]: 'true', ...annotations },
    labels: { 'pod-template-hash': hash },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: hash, controller: true }],
  },
  spec: { containers: [{ name: 'app' }] },
  status,
});

describe('WorkloadReconciler and pods the webhook skipped', () => {
  const podSkipped = (reason: string): V1Pod => podOf('abcde', '7d9f', { [Annotations.injectionSkipped]: reason });

  it('does not roll a workload whose pods were skipped for a reason of their own: the new pods would be skipped too', async () => {
    const { reconciler, patches } = reconcilerFor(templateOptedIn, { pods: [podSkipped('WindowsPod')], tracings: [tracing] });
    await reconciler.reconcile('Deployment/shop/web');
    expect(patches).toEqual([]);
  });

  it('rolls a workload whose pods were skipped for want of an XRayTracing that exists now', async () => {
    const { reconciler, patches, events } = reconcilerFor(templateOptedIn, { pods: [podSkipped('NoXRayTracing')], tracings: [tracing] });
    await reconciler.reconcile('Deployment/shop/web');
    expect(patches).toHaveLength(1);
    expect(events).toEqual(['Deployment:RolledForMissedInjection']);
  });
});

describe('WorkloadReconciler and the webhook\'s reachability', () => {
  it('holds a roll back while the webhook Service has no ready endpoint, and asks again soon', async () => {
    const { reconciler, patches } = reconcilerFor(optedInDeployment('shop', { app: 'web' }), { webhookReady: false });
    expect(await reconciler.reconcile('Deployment/shop/web')).toEqual({ requeueAfterMs: 5_000 });
    expect(patches).toEqual([]);
  });

  it('rolls once the webhook is reachable', async () => {
    const { reconciler, patches } = reconcilerFor(optedInDeployment('shop', { app: 'web' }), { webhookReady: true });
    await reconciler.reconcile('Deployment/shop/web');
    expect(patches).toHaveLength(1);
  });
});

describe('WorkloadReconciler and the rollout budget', () => {
  it('queues a roll while the budget is used up, writes nothing, and asks again soon', async () => {
    const asked: string[] = [];
    const pacer = { request: (ref: { name: string }) => (asked.push(ref.name), false), withdraw: () => undefined, abandon: () => undefined } as unknown as RolloutPacer;
    const { reconciler, patches, events } = reconcilerFor(optedInDeployment('shop', { app: 'web' }), { pacer });
    expect(await reconciler.reconcile('Deployment/shop/web')).toEqual({ requeueAfterMs: 2_000 });
    expect(asked).toEqual(['web']);
    expect(patches).toEqual([]);
    expect(events).toEqual([]);
  });
});

describe('WorkloadReconciler and crash-looping injected pods', () => {
  it('rolls the workload back to uninstrumented pods and records it on the workload and the XRayTracing', async () => {
    const configs = new TracingConfigs({ clusterName: 'c', nativeSidecarsSupported: true });
    const current = configs.of(tracing);
    const hash = current.ok ? current.configHash : '';
    const crashing = podOf('new', 'b2', { [Annotations.injected]: `default/${hash}` }, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'app', restartCount: 3, ready: false, image: '', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
    const healthy = podOf('old', 'a1', {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    const { reconciler, patches, events } = reconcilerFor(templateOptedIn, { pods: [crashing, healthy], tracings: [tracing] });
    await reconciler.reconcile('Deployment/shop/web');
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({
      body: {
        metadata: { annotations: { [Annotations.rolledBack]: `default/${hash}` } },
        spec: { template: { metadata: { annotations: { [Annotations.rolledBack]: `default/${hash}` } } } },
      },
    });
    expect(events).toEqual(['Deployment:RolledBack', 'XRayTracing:RolledBack']);
  });
});
