// One batch of pods of one variant: created together, each timed from its create call to the API's Ready
// condition and to its app's first HTTP 200 on the pod IP (polled every 50 ms, so the app's own start with its
// preload counts, not only the kubelet's one-second probe period), then deleted and waited for. Each pod's timeline
// (containerd task events) splits that time into what the kubelet, the init container, the sidecar and the app took.
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
  phases: PodPhases;
}

/** Where a pod's start went, in ms; a phase is absent when the pod has no such container. */
export interface PodPhases {
  /** Create call → its first container's process started: scheduling, the sandbox, the network. */
  toFirstContainer?: number;
  /** Preload init container exited → the kubelet started the next container (its sync after seeing the exit). */
  initExitToNext?: number;
  /** Collector sidecar started → app started: the collector's own start, and its startup probe's period. */
  sidecarToApp?: number;
  /** App process started → first HTTP 200: Node.js and the preload loading, the app listening. */
  appToServing?: number;
  /** First HTTP 200 → Ready in the API: the readiness probe's period and the status update. */
  servingToReady?: number;
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
    const init = containerTimes(pod, InjectedNames.initContainer, events);
    const initContainerMs = init.started !== undefined && init.exited !== undefined ? init.exited - init.started : undefined;
    return {
      createToReadyMs: readyAt - created,
      createToServingMs: servedAt - created,
      ...(initContainerMs !== undefined ? { initContainerMs } : {}),
      phases: phasesOf(pod, events, { created, servedAt, readyAt }),
    };
  }));
  await Promise.all(pods.map((pod) => core.deleteNamespacedPod({ namespace, name: pod.metadata!.name!, gracePeriodSeconds: 0 })));
  await waitFor(`batch pods in ${namespace} to be gone`, async () => (await core.listNamespacedPod({ namespace })).items.length === 0, { timeoutMs: 120_000, intervalMs: 250 });
  return timings;
}

function containerTimes(pod: V1Pod, name: string, events: TaskEvents): { started?: number; exited?: number } {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const id = statuses.find((container) => container.name === name)?.containerID;
  if (!id) return {};
  const started = events.startedAt(id);
  const exited = events.exitedAt(id);
  return { ...(started !== undefined ? { started } : {}), ...(exited !== undefined ? { exited } : {}) };
}

function phasesOf(pod: V1Pod, events: TaskEvents, at: { created: number; servedAt: number; readyAt: number }): PodPhases {
  const init = containerTimes(pod, InjectedNames.initContainer, events);
  const sidecar = containerTimes(pod, InjectedNames.sidecarContainer, events);
  const app = containerTimes(pod, 'app', events);
  const afterInit = sidecar.started ?? app.started;
  const first = init.started ?? sidecar.started ?? app.started;
  const span = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? Math.round(to - from) : undefined);
  const phases: PodPhases = {
    toFirstContainer: span(at.created, first),
    initExitToNext: span(init.exited, afterInit),
    sidecarToApp: span(sidecar.started, app.started),
    appToServing: span(app.started, at.servedAt),
    servingToReady: span(at.servedAt, at.readyAt),
  };
  return Object.fromEntries(Object.entries(phases).filter(([, value]) => value !== undefined));
}
