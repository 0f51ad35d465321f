// More workloads on the real node, each injected by the operator running as pods: a Job and a CronJob whose pods
// carry the native collector sidecar still run to completion, and ES-module and CommonJS apps on Node.js 20 and
// 22 each produce Express's framework spans (the route template comes from the Express instrumentation), and an
// operator scaled to zero and back rolls what started without it.
import { AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, InjectedNames } from '../core/src/constants.js';
import { httpCall } from './harness/http.js';
import { RELEASE_NAMESPACE } from './harness/install.js';
import { waitFor } from './harness/kube.js';
import { E2E_IMAGES } from './harness/node/images.js';
import { APP_PORT, appPodSpec, OPERATOR_SELECTOR, serverSegmentsOf, sidecarStatusOf, tracedRestrictedNamespace } from './harness/real-node-apps.js';
import { waitForReadyPods } from './harness/real-node.js';
import { useRealNode } from './harness/real-node-suite.js';
import { createDeployment, deployment } from './harness/workloads.js';

const bed = useRealNode();
const optIn = { [Annotations.injectNodejs]: 'true' };
/** A run-to-completion app: a couple of seconds of work, then exit 0. */
const BATCH_COMMAND = ['node', '-e', 'setTimeout(() => console.log("batch done"), 2000)'];

describe('Jobs and CronJobs with the native collector sidecar', () => {
  const NAMESPACE = 'batch';

  beforeAll(async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE, { collector: { indexedAttributes: ['http.route'] } });
  });

  it('runs an injected Job to completion: the sidecar does not keep its pod alive', async () => {
    const { kc } = bed().controlPlane;
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'nightly-report' },
        spec: {
          backoffLimit: 0,
          template: { metadata: { annotations: optIn }, spec: appPodSpec({ image: E2E_IMAGES.checkoutNode20, command: BATCH_COMMAND, serve: false, restartPolicy: 'Never' }) },
        },
      },
    });
    const job = await waitFor('Job nightly-report to complete', async () => {
      const read = await batch.readNamespacedJob({ namespace: NAMESPACE, name: 'nightly-report' });
      return read.status?.conditions?.some((condition) => condition.type === 'Complete' && condition.status === 'True') ? read : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1_000 });
    expect(job.status?.succeeded).toBe(1);
    const [pod] = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'job-name=nightly-report' })).items;
    expect(pod?.status?.phase).toBe('Succeeded');
    expect(pod?.spec?.initContainers?.find((container) => container.name === InjectedNames.sidecarContainer)?.restartPolicy).toBe('Always');
    expect(sidecarStatusOf(pod!)?.state?.terminated).toBeDefined();
  });

  it('runs a scheduled run of an injected CronJob to completion', async () => {
    const { kc } = bed().controlPlane;
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedCronJob({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'hourly-sync' },
        spec: {
          schedule: '* * * * *',
          concurrencyPolicy: 'Forbid',
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: { metadata: { annotations: optIn }, spec: appPodSpec({ image: E2E_IMAGES.checkoutNode22, command: BATCH_COMMAND, serve: false, restartPolicy: 'Never' }) },
            },
          },
        },
      },
    });
    // The first run starts at the next minute boundary.
    const cronJob = await waitFor('a successful run of CronJob hourly-sync', async () => {
      const read = await batch.readNamespacedCronJob({ namespace: NAMESPACE, name: 'hourly-sync' });
      return read.status?.lastSuccessfulTime ? read : undefined;
    }, { timeoutMs: 150_000, intervalMs: 2_000 });
    expect(cronJob.status?.lastSuccessfulTime).toBeDefined();
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NAMESPACE })).items
      .filter((pod) => pod.metadata?.ownerReferences?.[0]?.name?.startsWith('hourly-sync-'));
    expect(pods.some((pod) => pod.status?.phase === 'Succeeded' && pod.metadata?.annotations?.[Annotations.injected])).toBe(true);
  });
});

describe('ES-module and CommonJS apps on Node.js 20 and 22', () => {
  const NAMESPACE = 'polyglot';
  const since = new Date(Date.now() - 60_000);
  const apps = [
    { name: 'esm-node20', image: E2E_IMAGES.checkoutNode20, script: 'checkout.mjs' },
    { name: 'cjs-node20', image: E2E_IMAGES.checkoutNode20, script: 'checkout.cjs' },
    { name: 'esm-node22', image: E2E_IMAGES.checkoutNode22, script: 'checkout.mjs' },
    { name: 'cjs-node22', image: E2E_IMAGES.checkoutNode22, script: 'checkout.cjs' },
  ];

  beforeAll(async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE, { collector: { indexedAttributes: ['http.route'] } });
    const { controlPlane } = bed();
    for (const app of apps) {
      await createDeployment(controlPlane.kc, deployment(NAMESPACE, app.name, { podSpec: appPodSpec({ image: app.image, command: ['node', app.script] }) }));
    }
    for (const app of apps) {
      const [pod] = await waitForReadyPods(controlPlane, NAMESPACE, `app=${app.name}`, 1);
      expect((await httpCall(`http://${pod!.status!.podIP!}:${APP_PORT}/orders/${app.name}`)).statusCode).toBe(200);
    }
  });

  it.each(apps)('traces $name with the Express route of the framework span', async ({ name }) => {
    const segments = await serverSegmentsOf(bed(), name, since);
    const order = segments.find((segment) => segment.http?.request?.url?.endsWith(`/orders/${name}`));
    expect(order?.annotations).toMatchObject({ 'http.route': '/orders/:orderId' });
  });
});

describe('an operator scaled to zero and back', () => {
  const NAMESPACE = 'late';

  // This scenario found a race: the new leader rolled the workload before its own pod was Ready, so the webhook's
  // Service had no endpoint and the rolled pod was admitted plain again. Rolls now wait for a ready endpoint
  // (operator/src/k8s/webhook-reachability.ts).
  it('admits pods uninstrumented while it is away, then rolls the workload once to injected pods', async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE, { collector: { indexedAttributes: ['http.route'] } });
    const { controlPlane } = bed();
    const { kc } = controlPlane;
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const [operatorDeployment] = (await apps.listNamespacedDeployment({ namespace: RELEASE_NAMESPACE, labelSelector: OPERATOR_SELECTOR })).items;
    const scale = (replicas: number) => apps.patchNamespacedDeploymentScale(
      { namespace: RELEASE_NAMESPACE, name: operatorDeployment!.metadata!.name!, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await scale(0);
    await waitFor('the operator pods to be gone', async () => (await core.listNamespacedPod({ namespace: RELEASE_NAMESPACE, labelSelector: OPERATOR_SELECTOR })).items.length === 0, { timeoutMs: 90_000, intervalMs: 500 });
    // A real rolling update through ReplicaSets and readiness, not the Recreate the control-plane-only tests use.
    const body = deployment(NAMESPACE, 'checkout', { podSpec: appPodSpec({ image: E2E_IMAGES.checkoutNode20 }) });
    body.spec!.strategy = { type: 'RollingUpdate' };
    await createDeployment(kc, body);
    const [plain] = await waitForReadyPods(controlPlane, NAMESPACE, 'app=checkout', 1);
    expect(plain!.metadata?.annotations?.[Annotations.injected]).toBeUndefined();
    await scale(2);
    await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
    const injected = await waitFor('the workload rolled to one Ready injected pod and nothing else', async () => {
      const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=checkout' })).items;
      const ready = pods.filter((pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'));
      return pods.length === 1 && ready.length === 1 && ready[0]!.metadata?.annotations?.[Annotations.injected] ? ready[0] : undefined;
    }, { timeoutMs: 180_000, intervalMs: 1_000 });
    expect(injected.metadata?.name).not.toBe(plain!.metadata?.name);
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: NAMESPACE, labelSelector: 'app=checkout' })).items;
    expect(replicaSets).toHaveLength(2);
  });
});
