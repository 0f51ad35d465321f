// One batch of pods of one variant: created together, each timed from its create call to the API's Ready
// condition and to its app's first HTTP 200 on the pod IP (polled every 50 ms, so the app's own start with its
// preload counts, not only the kubelet's one-second probe period), then deleted and waited for.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { InjectedNames } from '../../core/src/constants.js';
import { httpCall } from '../../e2e/harness/http.js';
import { waitFor } from '../../e2e/harness/kube.js';
import type { TaskEvents } from './task-events.js';

export interface PodTiming {
  createToReadyMs: number;
  createToServingMs: number;
  /** The preload init container's run time (containerd task start to exit); absent for plain pods. */
  initContainerMs?: number;
}

const isReady = (pod: V1Pod | undefined) => pod?.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;

/** Polls the app until it answers 200, and returns when it did (ms since epoch). */
async function firstServedAt(core: CoreV1Api, namespace: string, name: string, port: number, deadline: number): Promise<number> {
  let podIp: string | undefined;
  while (Date.now() < deadline) {
    podIp ??= (await core.readNamespacedPod({ namespace, name })).status?.podIP;
    if (podIp) {
      const answered = await httpCall(`http://${podIp}:${port}/health`).then((result) => result.statusCode === 200, () => false);
      if (answered) return Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Pod ${namespace}/${name} did not serve in time`);
}

export async function runBatch(kc: KubeConfig, namespace: string, pods: V1Pod[], port: number, events: TaskEvents): Promise<PodTiming[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 180_000;
  const timings = await Promise.all(pods.map(async (body) => {
    const name = body.metadata!.name!;
    const created = Date.now();
    await core.createNamespacedPod({ namespace, body });
    const servedAt = await firstServedAt(core, namespace, name, port, deadline);
    let readyAt = 0;
    const pod = await waitFor(`pod ${name} Ready`, async () => {
      const read = await core.readNamespacedPod({ namespace, name });
      readyAt = Date.now();
      return isReady(read) ? read : undefined;
    }, { timeoutMs: Math.max(deadline - Date.now(), 1_000), intervalMs: 50 });
    const init = pod.status?.initContainerStatuses?.find((container) => container.name === InjectedNames.initContainer);
    const initContainerMs = init?.containerID ? events.durationMs(init.containerID) : undefined;
    return { createToReadyMs: readyAt - created, createToServingMs: servedAt - created, ...(initContainerMs !== undefined ? { initContainerMs } : {}) };
  }));
  await Promise.all(pods.map((pod) => core.deleteNamespacedPod({ namespace, name: pod.metadata!.name!, gracePeriodSeconds: 0 })));
  await waitFor(`batch pods in ${namespace} to be gone`, async () => (await core.listNamespacedPod({ namespace })).items.length === 0, { timeoutMs: 120_000, intervalMs: 250 });
  return timings;
}
