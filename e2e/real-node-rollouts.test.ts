// Paced rollouts and crash-loop rollback with real pods (kubelet, containerd, readiness probes): a namespace of five
// Deployments opted in at once rolls at most two at a time, each waiting for the previous to become available; an app
// that exits when the preload is loaded (e2e/apps/preload-intolerant.cjs) crash-loops once injected, and the operator
// rolls it back to uninstrumented pods that stay up. The API-server-only version is controller-rollouts.test.ts.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import type { XRayTracing, XRayTracingSpec } from '../core/src/api/types.js';
import { RELEASE_NAME, RELEASE_NAMESPACE } from './harness/install.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { E2E_IMAGES } from './harness/node/images.js';
import { appPodSpec } from './harness/real-node-apps.js';
import { waitForReadyPods } from './harness/real-node.js';
import { useRealNode } from './harness/real-node-suite.js';
import { E2E_REGION } from './harness/suite.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import { createDeployment, createXRayTracing, deployment, operatorRollouts, readDeployment, readXRayTracing, waitForWebhookToInject } from './harness/workloads.js';

const bed = useRealNode();
const OPERATOR_SELECTOR = `app.kubernetes.io/instance=${RELEASE_NAME}`;
const BUDGET = 2;
const WORKLOADS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const isReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
const isInjected = (pod: V1Pod): boolean => pod.metadata?.annotations?.[Annotations.injected] !== undefined;

/** A real rolling update: the old pod stays until the new one is Ready. */
function rollingDeployment(namespace: string, name: string, command?: string[]): V1Deployment {
  const body = deployment(namespace, name, { optIn: 'none', podSpec: appPodSpec({ image: E2E_IMAGES.checkoutNode20, ...(command ? { command } : {}) }) });
  body.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  return body;
}

async function tracedNamespace(namespace: string, rollout: XRayTracingSpec['rollout']): Promise<void> {
  const { controlPlane, fakeXRay } = bed();
  await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
  await createNamespace(controlPlane.kc, namespace, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  await createXRayTracing(controlPlane.kc, namespace, 'default', {
    sampling: { mode: 'local', fixedRate: 1 },
    collector: { region: E2E_REGION, awsEndpoint: fakeXRay.endpoint },
    rollout,
  });
  await waitForWebhookToInject(controlPlane.kc, namespace);
}

async function tracingStatus(kc: KubeConfig, namespace: string): Promise<XRayTracing['status']> {
  return (await readXRayTracing(kc, namespace, 'default')).status as XRayTracing['status'];
}

async function show(kubeconfigPath: string, args: string[]): Promise<void> {
  const { stdout } = await runWithKubeconfig(cliTools().kubectl, args, kubeconfigPath);
  console.log(`kubectl ${args.join(' ')}\n${stdout}`);
}

describe('paced rollouts on a real node', () => {
  const NAMESPACE = 'paced';

  it(`rolls a namespace of ${WORKLOADS.length} Deployments opting in at most ${BUDGET} at a time, each to a Ready injected pod`, async () => {
    const { controlPlane } = bed();
    const { kc, kubeconfigPath } = controlPlane;
    await tracedNamespace(NAMESPACE, { maxConcurrent: BUDGET });
    for (const name of WORKLOADS) await createDeployment(kc, rollingDeployment(NAMESPACE, name));
    for (const name of WORKLOADS) await waitForReadyPods(controlPlane, NAMESPACE, `app=${name}`, 1);

    await kc.makeApiClient(CoreV1Api).patchNamespace(
      { name: NAMESPACE, body: { metadata: { annotations: { [Annotations.injectNodejs]: 'true' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const isRollingForUs = operatorRollouts();
    let mostRolling = 0;
    let mostQueued = 0;
    await waitFor('every Deployment rolled to one Ready injected pod', async () => {
      // One list is one snapshot of the API server, which the operator's cache only lags: never more than the budget.
      const deployments = (await apps.listNamespacedDeployment({ namespace: NAMESPACE })).items;
      mostRolling = Math.max(mostRolling, deployments.filter(isRollingForUs).length);
      mostQueued = Math.max(mostQueued, (await tracingStatus(kc, NAMESPACE))?.rollouts?.queued ?? 0);
      const pods = (await core.listNamespacedPod({ namespace: NAMESPACE })).items;
      return pods.length === WORKLOADS.length && pods.every((pod) => isInjected(pod) && isReady(pod)) && deployments.every((d) => !isRollingForUs(d));
    }, { timeoutMs: 600_000, intervalMs: 250 });
    expect(mostRolling).toBe(BUDGET);
    expect(mostQueued).toBeGreaterThanOrEqual(WORKLOADS.length - BUDGET - 1);
    await show(kubeconfigPath, ['get', 'xrt', '-n', NAMESPACE, '-o', 'wide']);
    await show(kubeconfigPath, ['get', 'pods', '-n', NAMESPACE]);
  });
});

describe('crash-loop rollback on a real node', () => {
  const NAMESPACE = 'fragile';

  it('rolls an app that exits when the preload is loaded back to uninstrumented pods, which stay up', async () => {
    const { controlPlane } = bed();
    const { kc, kubeconfigPath } = controlPlane;
    await tracedNamespace(NAMESPACE, { rollback: { maxRestarts: 2 } });
    await createDeployment(kc, rollingDeployment(NAMESPACE, 'intolerant', ['node', 'preload-intolerant.cjs']));
    const [plain] = await waitForReadyPods(controlPlane, NAMESPACE, 'app=intolerant', 1);
    expect(isInjected(plain!)).toBe(false);
    const hash = (await waitFor('the config hash in status', async () => (await tracingStatus(kc, NAMESPACE))?.configHash)) ?? '';

    await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
      { namespace: NAMESPACE, name: 'intolerant', body: { metadata: { annotations: { [Annotations.injectNodejs]: 'true' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const core = kc.makeApiClient(CoreV1Api);
    await waitFor('the injected pod to crash-loop', async () => {
      const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=intolerant' })).items;
      return pods.some((pod) => isInjected(pod) && (pod.status?.containerStatuses ?? []).some((c) => c.name === 'app' && c.restartCount >= 1));
    }, { timeoutMs: 120_000, intervalMs: 1_000 });

    // Two restarts in CrashLoopBackOff take about 10 s + 20 s of back-off.
    const rolledBack = await waitFor('the rollback annotations', async () => {
      const current = await readDeployment(kc, NAMESPACE, 'intolerant');
      return current.metadata?.annotations?.[Annotations.rolledBack] !== undefined && current;
    }, { timeoutMs: 180_000, intervalMs: 1_000 });
    expect(rolledBack.metadata?.annotations?.[Annotations.rolledBack]).toBe(`default/${hash}`);
    expect(rolledBack.metadata?.annotations?.[Annotations.rolledBackReason]).toMatch(/^CrashLoop: container app of injected pod intolerant-\S+ restarted \d+ times/);

    const up = await waitFor('one Ready uninjected pod, recorded as rolled back, and nothing else', async () => {
      const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=intolerant' })).items;
      const [only] = pods;
      return pods.length === 1 && only && isReady(only) && !isInjected(only) && only.metadata?.annotations?.[Annotations.injectionSkipped] === 'RolledBack' && only;
    }, { timeoutMs: 180_000, intervalMs: 1_000 });
    await waitFor('the RolledBack condition', async () => {
      const current = await tracingStatus(kc, NAMESPACE);
      return current?.conditions?.some((c) => c.type === 'RolledBack' && c.status === 'True') && current.fleet?.rolledBack === 1 && current.fleet.skippedReasons?.RolledBack === 1 && current;
    });

    // It stays up and uninstrumented: no restarts, no further roll.
    // The template, not the generation: a Deployment's generation also moves with the annotations the controller keeps.
    const template = (await readDeployment(kc, NAMESPACE, 'intolerant')).spec?.template;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const after = await core.readNamespacedPod({ namespace: NAMESPACE, name: up.metadata!.name! });
    expect(isReady(after)).toBe(true);
    expect(after.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount).toBe(0);
    expect((await readDeployment(kc, NAMESPACE, 'intolerant')).spec?.template).toEqual(template);
    await show(kubeconfigPath, ['get', 'xrt', '-n', NAMESPACE, '-o', 'wide']);
    await show(kubeconfigPath, ['get', 'pods', '-n', NAMESPACE, '-o',
      `custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,RESTARTS:.status.containerStatuses[0].restartCount,SKIPPED:.metadata.annotations.xray-operator\\.dev/injection-skipped`]);
    await show(kubeconfigPath, ['get', 'events', '-n', NAMESPACE, '--field-selector', 'reason=RolledBack']);
  });
});
