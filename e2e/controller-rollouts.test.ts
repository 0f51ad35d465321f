// Paced rollouts and crash-loop rollback on a real API server and kube-controller-manager (Deployments, ReplicaSets),
// with the operator installed by its chart. There is no kubelet here: startStatusKubelet reports pod status through
// the pods/status subresource as a kubelet would (Ready, or an app container in CrashLoopBackOff), so Deployments
// become available, or do not, through the real Deployment and ReplicaSet controllers. The real-node version
// (real-node-rollouts.test.ts) runs real containers.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { Annotations } from '../core/src/constants.js';
import type { XRayTracing } from '../core/src/api/types.js';
import { httpCall } from './harness/http.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { startStatusKubelet, type StatusKubelet } from './harness/status-kubelet.js';
import { useInstalledOperator } from './harness/suite.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import { createDeployment, createXRayTracing, deployment, isInjectedPod, operatorRollouts, readDeployment, readXRayTracing, waitForPods, waitForWebhookToInject } from './harness/workloads.js';

const PACED = 'paced';
const CRASHY = 'crashy';
const BUDGET = 2;
const WORKLOADS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

/** A jsonpath to an annotation, for kubectl custom-columns (dots and slashes in its name escaped). */
const annotationPath = (name: string): string => `.metadata.annotations.${name.replace(/\./g, '\\.').replace(/\//g, '\\/')}`;

async function optInNamespace(kc: KubeConfig, namespace: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).patchNamespace(
    { name: namespace, body: { metadata: { annotations: { [Annotations.injectNodejs]: 'true' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function waitForAvailable(kc: KubeConfig, namespace: string, name: string): Promise<V1Deployment> {
  return waitFor(`Deployment ${namespace}/${name} to be available`, async () => {
    const current = await readDeployment(kc, namespace, name);
    const status = current.status ?? {};
    return (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0) && status.availableReplicas === (current.spec?.replicas ?? 1) && status.updatedReplicas === status.availableReplicas && status.replicas === status.availableReplicas && current;
  }, { timeoutMs: 90_000 });
}

describe('controller e2e: paced rollouts and crash-loop rollback', () => {
  const bed = useInstalledOperator();
  let kubelet: StatusKubelet | undefined;

  afterEach(async () => {
    await kubelet?.stop();
    kubelet = undefined;
  });

  beforeAll(async () => {
    const { kc } = bed().controlPlane;
    for (const namespace of [PACED, CRASHY]) await createNamespace(kc, namespace);
  });

  it(`opting a namespace of ${WORKLOADS.length} Deployments in never has more than ${BUDGET} rolling at once, and shows the queue`, async () => {
    const { controlPlane: { kc, kubeconfigPath }, installed: { operator } } = bed();
    await createXRayTracing(kc, PACED, 'default', { rollout: { maxConcurrent: BUDGET } });
    // Pods take 1.5 s to be reported Ready: rollouts overlap unless the operator waits for them.
    kubelet = startStatusKubelet(kc, { namespace: PACED, startupMs: 1_500 });
    for (const name of WORKLOADS) await createDeployment(kc, deployment(PACED, name, { optIn: 'none' }));
    for (const name of WORKLOADS) await waitForAvailable(kc, PACED, name);
    await waitForWebhookToInject(kc, PACED);

    await optInNamespace(kc, PACED);
    const apps = kc.makeApiClient(AppsV1Api);
    const isRollingForUs = operatorRollouts();
    let mostRolling = 0;
    let mostQueued = 0;
    let queuedMetricSeen = false;
    await waitFor('every Deployment rolled to injected pods', async () => {
      // One list is one consistent snapshot of the API server; the operator only starts a roll after its cache (which
      // lags the API server) saw another finish, so a snapshot never shows more rolling than the budget.
      const deployments = (await apps.listNamespacedDeployment({ namespace: PACED })).items;
      mostRolling = Math.max(mostRolling, deployments.filter(isRollingForUs).length);
      const status = (await readXRayTracing(kc, PACED, 'default')).status as XRayTracing['status'];
      mostQueued = Math.max(mostQueued, status?.rollouts?.queued ?? 0);
      if (!queuedMetricSeen) {
        const metrics = await httpCall(`${operator.healthBaseUrl}/metrics`);
        queuedMetricSeen = /xray_operator_rollouts\{namespace="paced",state="queued"\} [1-9]/.test(metrics.body);
      }
      const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: PACED })).items.filter((pod) => !pod.metadata?.deletionTimestamp);
      const allRolled = deployments.every((d) => d.spec?.template.metadata?.annotations?.[Annotations.restartedAt] && !isRollingForUs(d));
      return allRolled && pods.length === WORKLOADS.length && pods.every(isInjectedPod);
    }, { timeoutMs: 120_000, intervalMs: 50 });

    expect(mostRolling).toBe(BUDGET);
    expect(mostQueued).toBeGreaterThanOrEqual(WORKLOADS.length - BUDGET - 1);
    expect(queuedMetricSeen).toBe(true);
    const done = await waitFor('the queue to empty in status', async () => {
      const status = (await readXRayTracing(kc, PACED, 'default')).status as XRayTracing['status'];
      return status?.rollouts?.queued === 0 && status.rollouts.inProgress === 0 && status;
    });
    expect(done.rollouts).toEqual({ inProgress: 0, queued: 0, queuedList: [], moreQueued: 0 });
    const { stdout } = await runWithKubeconfig(cliTools().kubectl, ['get', 'xrt', '-n', PACED, '-o', 'wide'], kubeconfigPath);
    console.log(`kubectl get xrt -n ${PACED} -o wide\n${stdout}`);
  });

  it('rolls back a Deployment whose injected pods crash-loop, annotates it and keeps it uninstrumented until a person removes the annotation', async () => {
    const { controlPlane: { kc, kubeconfigPath } } = bed();
    await createXRayTracing(kc, CRASHY, 'default', { rollout: { rollback: { maxRestarts: 3 } } });
    // The app exits at start when the preload is loaded: injected pods crash-loop, uninjected ones get Ready.
    let appFixed = false;
    kubelet = startStatusKubelet(kc, { namespace: CRASHY, startupMs: 500, crashRestarts: 4, behaviour: (pod: V1Pod) => (isInjectedPod(pod) && !appFixed ? 'crash-loop' : 'ready') });
    const fragile = deployment(CRASHY, 'fragile', { optIn: 'none' });
    // A rolling update keeps the Ready uninjected pod while the injected one fails, as on a real cluster.
    fragile.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await createDeployment(kc, fragile);
    await waitForAvailable(kc, CRASHY, 'fragile');
    await waitForWebhookToInject(kc, CRASHY);
    const hash = (await waitFor('the config hash in status', async () => ((await readXRayTracing(kc, CRASHY, 'default')).status as XRayTracing['status'])?.configHash)) ?? '';

    await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
      { namespace: CRASHY, name: 'fragile', body: { metadata: { annotations: { [Annotations.injectNodejs]: 'true' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('an injected pod to crash-loop', () => Promise.resolve([...kubelet!.reported.values()].includes('crash-loop')));

    const rolledBack = await waitFor('the rollback annotations', async () => {
      const current = await readDeployment(kc, CRASHY, 'fragile');
      return current.metadata?.annotations?.[Annotations.rolledBack] !== undefined && current;
    });
    expect(rolledBack.metadata?.annotations?.[Annotations.rolledBack]).toBe(`default/${hash}`);
    expect(rolledBack.metadata?.annotations?.[Annotations.rolledBackReason]).toMatch(/^CrashLoop: container app of injected pod fragile-\S+ restarted 4 times, CrashLoopBackOff, while uninjected pod fragile-\S+ is Ready$/);
    expect(Date.parse(rolledBack.metadata?.annotations?.[Annotations.rolledBackAt] ?? '')).not.toBeNaN();
    expect(rolledBack.spec?.template.metadata?.annotations?.[Annotations.rolledBack]).toBe(`default/${hash}`);

    const [pod] = await waitForPods(kc, CRASHY, 'fragile', 1, (candidate) => candidate.metadata?.annotations?.[Annotations.injectionSkipped] === 'RolledBack');
    expect(isInjectedPod(pod!)).toBe(false);
    const available = await waitForAvailable(kc, CRASHY, 'fragile');

    let lastSeen: unknown;
    const tracing = await waitFor('the RolledBack condition and count', async () => {
      const status = (await readXRayTracing(kc, CRASHY, 'default')).status as XRayTracing['status'];
      lastSeen = status?.fleet;
      const condition = status?.conditions?.find((c) => c.type === 'RolledBack');
      // The rolled-back workload and its uninjected pod are counted in different passes: wait for both.
      return condition?.status === 'True' && status?.fleet?.rolledBack === 1 && status.fleet.skippedReasons?.RolledBack === 1 && status;
    }).catch((error: Error) => { throw new Error(`${error.message}; last fleet: ${JSON.stringify(lastSeen)}; pods: ${JSON.stringify(kubelet?.reported ? [...kubelet.reported] : [])}`); });
    expect(tracing.conditions?.find((c) => c.type === 'RolledBack')?.message).toContain('Deployment fragile (CrashLoop: ');
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: CRASHY });
    expect(events.items.filter((event) => event.reason === 'RolledBack').map((event) => event.involvedObject.kind).sort()).toEqual(['Deployment', 'XRayTracing']);

    // Stays uninstrumented: the operator does not touch the template again.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const later = await readDeployment(kc, CRASHY, 'fragile');
    // The template, not the generation: a Deployment's generation also moves with the annotations the controller keeps.
    expect(later.spec?.template).toEqual(available.spec?.template);
    const pods = await waitForPods(kc, CRASHY, 'fragile', 1);
    expect(pods.some(isInjectedPod)).toBe(false);
    const columns = `NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,INJECTED:${annotationPath(Annotations.injected)},SKIPPED:${annotationPath(Annotations.injectionSkipped)},ROLLED-BACK:${annotationPath(Annotations.rolledBack)}`;
    const { stdout } = await runWithKubeconfig(cliTools().kubectl, ['get', 'pods', '-n', CRASHY, '-o', `custom-columns=${columns}`], kubeconfigPath);
    console.log(`kubectl get pods -n ${CRASHY} -o custom-columns=…\n${stdout}`);

    // A person fixed the app and removes the annotation from the Deployment: the operator rolls it to injected pods.
    appFixed = true;
    await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
      { namespace: CRASHY, name: 'fragile', body: { metadata: { annotations: { [Annotations.rolledBack]: null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitForPods(kc, CRASHY, 'fragile', 1, isInjectedPod);
    const reinjected = await waitForAvailable(kc, CRASHY, 'fragile');
    expect(reinjected.spec?.template.metadata?.annotations?.[Annotations.rolledBack]).toBeUndefined();
    expect(reinjected.metadata?.annotations?.[Annotations.rolledBackReason]).toBeUndefined();
    await waitFor('the RolledBack condition to clear', async () => {
      const status = (await readXRayTracing(kc, CRASHY, 'default')).status as XRayTracing['status'];
      return status?.conditions?.find((c) => c.type === 'RolledBack')?.status === 'False' && status.fleet?.rolledBack === 0;
    });
  });
});
