// Plays the kubelet's part in pod status on a bed without nodes: pods of a namespace are reported Running and Ready
// (or, as `behaviour` says, crash-looping) through the pods/status subresource, as the kubelet would. The
// kube-controller-manager's ReplicaSet and Deployment controllers then count them available, so Deployments finish
// their rollouts here as on a real cluster.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';

export type PodBehaviour = 'ready' | 'crash-loop';

export interface StatusKubeletOptions {
  namespace: string;
  /** How long after its creation a pod is reported: rollouts then take at least this long. */
  startupMs?: number;
  /** What a pod does; default: every pod gets Ready. */
  behaviour?: (pod: V1Pod) => PodBehaviour;
  /** Restarts reported for a crash-looping app container. */
  crashRestarts?: number;
}

export interface StatusKubelet {
  /** Pods reported so far, by name, with what they were reported doing. */
  readonly reported: ReadonlyMap<string, PodBehaviour>;
  stop(): Promise<void>;
}

const POLL_MS = 100;

function statusFor(pod: V1Pod, behaviour: PodBehaviour, restarts: number): V1PodStatus {
  const now = new Date();
  const ready = behaviour === 'ready';
  const condition = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: now });
  return {
    phase: 'Running',
    startTime: now,
    conditions: [condition('PodScheduled', true), condition('Initialized', true), condition('ContainersReady', ready), condition('Ready', ready)],
    containerStatuses: (pod.spec?.containers ?? []).map((container, index) => {
      // The app is the first container; one the injection adds (a regular sidecar) keeps running.
      const crashes = !ready && index === 0;
      return {
        name: container.name,
        image: container.image ?? '',
        imageID: '',
        ready: !crashes,
        restartCount: crashes ? restarts : 0,
        started: !crashes,
        state: crashes ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } } : { running: { startedAt: now } },
        ...(crashes ? { lastState: { terminated: { exitCode: 1, reason: 'Error' } } } : {}),
      };
    }),
  };
}

export function startStatusKubelet(kc: KubeConfig, options: StatusKubeletOptions): StatusKubelet {
  const core = kc.makeApiClient(CoreV1Api);
  const reported = new Map<string, PodBehaviour>();
  const startupMs = options.startupMs ?? 1_000;
  let running = true;

  async function reportOnce(): Promise<void> {
    const pods = await core.listNamespacedPod({ namespace: options.namespace });
    for (const pod of pods.items) {
      const name = pod.metadata?.name ?? '';
      if (reported.has(name) || pod.metadata?.deletionTimestamp) continue;
      const age = Date.now() - new Date(pod.metadata?.creationTimestamp ?? Date.now()).getTime();
      if (age < startupMs) continue;
      const behaviour = options.behaviour?.(pod) ?? 'ready';
      try {
        await core.patchNamespacedPodStatus(
          { namespace: options.namespace, name, body: { status: statusFor(pod, behaviour, options.crashRestarts ?? 5) } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        reported.set(name, behaviour);
      } catch {
        // Deleted meanwhile (a Recreate rollout): nothing to report.
      }
    }
  }

  const loop = (async () => {
    while (running) {
      await reportOnce().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();

  return {
    reported,
    async stop() {
      running = false;
      await loop;
    },
  };
}
